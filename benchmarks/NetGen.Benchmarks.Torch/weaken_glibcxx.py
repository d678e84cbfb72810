#!/usr/bin/env python3
"""Marks one symbol-version requirement of an ELF shared library weak, so that it loads where that version is missing.

    python3 weaken_glibcxx.py LIBRARY [VERSION]        (VERSION defaults to GLIBCXX_3.4.32)

Why: TorchSharp 0.107's libLibTorchSharp.so was linked against a libstdc++ that has GLIBCXX_3.4.32 (GCC 13), and the
dynamic loader refuses to load it on Debian 12, whose libstdc++ (GCC 12) stops at GLIBCXX_3.4.30. The only symbol of
that version the library names is std::ios_base_library_init(), a marker GCC 13's <iostream> asks for through a bare
`.globl` (so that the linker records the libstdc++ version that has the iostream initialisation inside the library);
no relocation refers to it and no code calls it. The loader skips a missing version whose requirement has
VER_FLG_WEAK set (glibc's dl-version.c: "weak version not found" is not fatal), so this script sets that flag on the
one Vernaux entry of .gnu.version_r that names VERSION.

It refuses to do so unless every dynamic symbol bound to VERSION is std::ios_base_library_init and no relocation in
the library refers to any of them, so it cannot hide a requirement that real code depends on. It rewrites the file
through a temporary copy and a rename, so a hard link into the NuGet cache is never written through. Running it again
on a patched file changes nothing.
"""
import os
import struct
import sys

SHT_RELA = 4
SHT_DYNSYM = 11
SHT_GNU_VERNEED = 0x6FFFFFFE
SHT_GNU_VERSYM = 0x6FFFFFFF
VER_FLG_WEAK = 0x2
MARKERS = {"_ZSt21ios_base_library_initv"}


def c_string(data, offset):
    end = data.index(b"\0", offset)
    return data[offset:end].decode()


def sections(data):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit("not a little-endian 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, _ = struct.unpack_from("<HHH", data, 0x3A)
    result = []
    for i in range(shnum):
        (name, kind, flags, addr, offset, size, link, info, align, entsize) = struct.unpack_from(
            "<IIQQQQIIQQ", data, shoff + i * shentsize)
        result.append({"type": kind, "offset": offset, "size": size, "link": link, "info": info, "entsize": entsize})
    return result


def weaken(data, version):
    secs = sections(data)
    verneed = next((s for s in secs if s["type"] == SHT_GNU_VERNEED), None)
    if verneed is None:
        raise SystemExit("no .gnu.version_r section: nothing requires a version")
    strtab = secs[verneed["link"]]["offset"]

    # The Vernaux entry that names the version, and the version index (vna_other) its symbols carry.
    target = None
    offset = verneed["offset"]
    for _ in range(verneed["info"]):
        vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, offset)
        aux = offset + vn_aux
        for _ in range(vn_cnt):
            vna_hash, vna_flags, vna_other, vna_name, vna_next = struct.unpack_from("<IHHII", data, aux)
            if c_string(data, strtab + vna_name) == version:
                target = (aux, vna_flags, vna_other, c_string(data, strtab + vn_file))
            aux += vna_next
        offset += vn_next
    if target is None:
        raise SystemExit(f"the library does not require {version}")
    aux, flags, index, needed = target

    # The dynamic symbols bound to that version index must be the marker alone, and nothing may relocate against them.
    dynsym = next(s for s in secs if s["type"] == SHT_DYNSYM)
    versym = next(s for s in secs if s["type"] == SHT_GNU_VERSYM)
    dynstr = secs[dynsym["link"]]["offset"]
    bound = {}
    for i in range(dynsym["size"] // 24):
        ver, = struct.unpack_from("<H", data, versym["offset"] + 2 * i)
        if ver & 0x7FFF == index:
            st_name, = struct.unpack_from("<I", data, dynsym["offset"] + 24 * i)
            bound[i] = c_string(data, dynstr + st_name)
    unexpected = sorted(set(bound.values()) - MARKERS)
    if unexpected:
        raise SystemExit(f"{version} also binds {unexpected}: refusing to weaken a version that real code uses")
    for rela in (s for s in secs if s["type"] == SHT_RELA and s["link"] == secs.index(dynsym)):
        for r in range(rela["size"] // 24):
            _, info, _ = struct.unpack_from("<QQq", data, rela["offset"] + 24 * r)
            if info >> 32 in bound:
                raise SystemExit(f"a relocation refers to {bound[info >> 32]}@{version}: refusing")

    if flags & VER_FLG_WEAK:
        return None, needed, sorted(bound.values())
    patched = bytearray(data)
    struct.pack_into("<H", patched, aux + 4, flags | VER_FLG_WEAK)
    return bytes(patched), needed, sorted(bound.values())


def main():
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    path = sys.argv[1]
    version = sys.argv[2] if len(sys.argv) == 3 else "GLIBCXX_3.4.32"
    with open(path, "rb") as f:
        data = f.read()
    patched, needed, symbols = weaken(data, version)
    if patched is None:
        print(f"{path}: {version} of {needed} already weak")
        return
    temp = path + ".weak"
    with open(temp, "wb") as f:
        f.write(patched)
    os.chmod(temp, os.stat(path).st_mode)
    os.replace(temp, path)
    print(f"{path}: {version} of {needed} marked weak (its only symbols: {', '.join(symbols)})")


if __name__ == "__main__":
    main()
