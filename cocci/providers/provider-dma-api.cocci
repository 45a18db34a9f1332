/// A hardware provider calls the DMA API on its own dma_device instead of
/// the ib_dma_* wrappers.
///
/// Each wrapper is "if (ib_uses_virt_dma(dev)) <software path>; else
/// <the DMA API call on dev->dma_device>".  ib_uses_virt_dma() is false for
/// a device registered with a dma_device, so for such a provider each call
/// is exactly the DMA API call it wraps.  The rule does not prove that: the
/// driver (scripts/providers.py) runs it only on providers whose every
/// ib_register_device() passes a dma_device, and a provider only holds the
/// ib_devices it registered.
///
// Confidence: High (on the providers scripts/providers.py selects)
// Options: --no-includes --include-headers
// Keywords: ib_dma, DMA API, provider

virtual patch

// Each wrapper takes the same arguments as the call it wraps, with the
// ib_device first: swap the name and the device, keep the rest as written.
// &E becomes E.dma_device, not (&E)->dma_device.
@addr_of depends on patch@
expression E;
@@
(
- ib_dma_mapping_error
+ dma_mapping_error
  (
- &E
+ E.dma_device
  , ...)
|
- ib_dma_map_single
+ dma_map_single
  (
- &E
+ E.dma_device
  , ...)
|
- ib_dma_unmap_single
+ dma_unmap_single
  (
- &E
+ E.dma_device
  , ...)
|
- ib_dma_map_page
+ dma_map_page
  (
- &E
+ E.dma_device
  , ...)
|
- ib_dma_unmap_page
+ dma_unmap_page
  (
- &E
+ E.dma_device
  , ...)
|
- ib_dma_map_sg
+ dma_map_sg
  (
- &E
+ E.dma_device
  , ...)
|
- ib_dma_unmap_sg
+ dma_unmap_sg
  (
- &E
+ E.dma_device
  , ...)
|
- ib_dma_map_sg_attrs
+ dma_map_sg_attrs
  (
- &E
+ E.dma_device
  , ...)
|
- ib_dma_unmap_sg_attrs
+ dma_unmap_sg_attrs
  (
- &E
+ E.dma_device
  , ...)
|
- ib_dma_map_sgtable_attrs
+ dma_map_sgtable
  (
- &E
+ E.dma_device
  , ...)
|
- ib_dma_unmap_sgtable_attrs
+ dma_unmap_sgtable
  (
- &E
+ E.dma_device
  , ...)
|
- ib_dma_sync_single_for_cpu
+ dma_sync_single_for_cpu
  (
- &E
+ E.dma_device
  , ...)
|
- ib_dma_sync_single_for_device
+ dma_sync_single_for_device
  (
- &E
+ E.dma_device
  , ...)
|
- ib_dma_max_seg_size(
- &E
+ dma_get_max_seg_size(E.dma_device
  )
|
- ib_dma_pci_p2p_dma_supported(
- &E
+ dma_pci_p2pdma_supported(E.dma_device
  )
)

@pointer depends on patch@
expression dev;
@@
(
- ib_dma_mapping_error
+ dma_mapping_error
  (
- dev
+ dev->dma_device
  , ...)
|
- ib_dma_map_single
+ dma_map_single
  (
- dev
+ dev->dma_device
  , ...)
|
- ib_dma_unmap_single
+ dma_unmap_single
  (
- dev
+ dev->dma_device
  , ...)
|
- ib_dma_map_page
+ dma_map_page
  (
- dev
+ dev->dma_device
  , ...)
|
- ib_dma_unmap_page
+ dma_unmap_page
  (
- dev
+ dev->dma_device
  , ...)
|
- ib_dma_map_sg
+ dma_map_sg
  (
- dev
+ dev->dma_device
  , ...)
|
- ib_dma_unmap_sg
+ dma_unmap_sg
  (
- dev
+ dev->dma_device
  , ...)
|
- ib_dma_map_sg_attrs
+ dma_map_sg_attrs
  (
- dev
+ dev->dma_device
  , ...)
|
- ib_dma_unmap_sg_attrs
+ dma_unmap_sg_attrs
  (
- dev
+ dev->dma_device
  , ...)
|
- ib_dma_map_sgtable_attrs
+ dma_map_sgtable
  (
- dev
+ dev->dma_device
  , ...)
|
- ib_dma_unmap_sgtable_attrs
+ dma_unmap_sgtable
  (
- dev
+ dev->dma_device
  , ...)
|
- ib_dma_sync_single_for_cpu
+ dma_sync_single_for_cpu
  (
- dev
+ dev->dma_device
  , ...)
|
- ib_dma_sync_single_for_device
+ dma_sync_single_for_device
  (
- dev
+ dev->dma_device
  , ...)
|
- ib_dma_max_seg_size(
- dev
+ dma_get_max_seg_size(dev->dma_device
  )
|
- ib_dma_pci_p2p_dma_supported(
- dev
+ dma_pci_p2pdma_supported(dev->dma_device
  )
)
