import sites


def test_comments_and_strings_are_blanked_in_place():
    text = ('x = 1; /* ib_dma_map_single(a) */ y = "local_dma_lkey";\n'
            "// ib_dma_unmap_single(b)\n"
            "c = '\\''; z = ib_dma_map_page(d);\n")
    stripped = sites.strip_comments_and_strings(text)
    assert len(stripped) == len(text)
    assert stripped.count("\n") == text.count("\n")
    assert "ib_dma_map_single" not in stripped
    assert "local_dma_lkey" not in stripped
    assert "ib_dma_unmap_single" not in stripped
    assert "ib_dma_map_page(d)" in stripped


def test_sites_have_spatch_style_positions():
    text = ("static int f(struct ib_device *dev)\n"
            "{\n"
            "\tsge.lkey = pd->local_dma_lkey;\n"
            "\treturn ib_dma_mapping_error (dev,\n"
            "\t\t\t\t     addr);\n"
            "}\n")
    found = sites.sites_in_text("f.c", text)
    assert found == [sites.GrepSite("f.c", 3, 16, "local_dma_lkey"),
                     sites.GrepSite("f.c", 4, 8, "ib_dma_mapping_error")]


def test_a_name_without_a_call_is_not_a_site():
    text = "EXPORT_SYMBOL(ib_dma_virt_map_sg);\nu32 my_local_dma_lkey;\n"
    assert sites.sites_in_text("x.c", text) == []


def test_multiline_comment_keeps_line_numbers():
    text = "/*\n * ib_dma_map_sg(x)\n */\nib_dma_map_sg(dev, sg, n, dir);\n"
    assert sites.sites_in_text("x.c", text) == [
        sites.GrepSite("x.c", 4, 0, "ib_dma_map_sg")]


def test_candidate_files_skip_the_wrapper_header(kernel_shaped):
    (kernel_shaped / "include/rdma/ib_verbs.h").write_text(
        "static inline u64 ib_dma_map_single(struct ib_device *d);\n")
    (kernel_shaped / "ulp.c").write_text("x = ib_dma_map_single(d);\n")
    (kernel_shaped / "notes.txt").write_text("ib_dma_map_single(d)\n")
    for is_git in (False, True):
        if is_git:
            import subprocess
            subprocess.run(["git", "-C", str(kernel_shaped), "add", "-A"],
                           check=True)
        assert sites.candidate_files(kernel_shaped, is_git) == ["ulp.c"]
