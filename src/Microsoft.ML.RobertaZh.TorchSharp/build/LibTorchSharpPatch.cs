// Marks libLibTorchSharp.so's need for GLIBCXX_3.4.32 weak, so it loads with an older libstdc++ (Debian 12, Ubuntu 22.04).
// One file, three users: RoslynCodeTaskFactory compiles it into the PatchLibTorchSharp MSBuild task
// (Microsoft.ML.RobertaZh.TorchSharp.targets); the engine assembly and the tests compile ElfVersionNeeds alone
// (ROBERTAZH_NO_MSBUILD). Kept to netstandard2.0 APIs, which is what the task factory compiles against.
//
// Why it is safe: TorchSharp 0.107's libLibTorchSharp.so was built with GCC 13, whose <iostream> emits a reference to
// std::ios_base_library_init() (versioned GLIBCXX_3.4.32) that nothing calls. In the ELF, .gnu.version_r lists one
// Elf64_Vernaux per needed version (hash, flags, other, name, next); with VER_FLG_WEAK (2) in vna_flags the dynamic
// loader accepts a libstdc++ that lacks the version instead of refusing to load the library.
#nullable disable // shared with the MSBuild task factory, which compiles it as netstandard2.0 code without nullable annotations
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
#if !ROBERTAZH_NO_MSBUILD
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Microsoft.ML.RobertaZh.TorchSharp.Build;

/// <summary>
/// When the system's libstdc++ lacks GLIBCXX_3.4.32: marks that need weak in each given copy of libLibTorchSharp.so (our
/// build output, never the NuGet cache) and removes a TorchSharp-consolidated cpu/ folder that could hold an unpatched copy.
/// </summary>
public sealed class PatchLibTorchSharp : Task
{
    [Required] public ITaskItem[] Libraries { get; set; }

    public string ConsolidatedFolder { get; set; }

    public override bool Execute()
    {
        string libstdcxx = ElfVersionNeeds.FindSystemLibStdCxx();
        if (libstdcxx == null)
        {
            Log.LogMessage(MessageImportance.Low, "PatchLibTorchSharp: no libstdc++.so.6 found; nothing to do.");
            return true;
        }
        if (ElfVersionNeeds.Defines(libstdcxx, ElfVersionNeeds.Glibcxx))
        {
            Log.LogMessage(MessageImportance.Low, "PatchLibTorchSharp: " + libstdcxx + " has " + ElfVersionNeeds.Glibcxx + "; nothing to do.");
            return true;
        }
        foreach (var item in Libraries)
        {
            string path = item.ItemSpec;
            if (!File.Exists(path)) continue;
            bool changed = ElfVersionNeeds.MarkWeak(path, ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.Glibcxx);
            Log.LogMessage(MessageImportance.Normal, "PatchLibTorchSharp: " + path + (changed
                ? ": marked the " + ElfVersionNeeds.Glibcxx + " need weak (" + libstdcxx + " lacks it)."
                : ": already patched."));
        }
        if (!string.IsNullOrEmpty(ConsolidatedFolder) && ElfVersionNeeds.RemoveConsolidatedNatives(ConsolidatedFolder))
            Log.LogMessage(MessageImportance.Normal, "PatchLibTorchSharp: removed " + ConsolidatedFolder + " (TorchSharp's consolidated natives, unpatched).");
        return true;
    }
}
#endif

namespace Microsoft.ML.RobertaZh.TorchSharp.Build
{
    /// <summary>One entry of an ELF file's version needs (<c>.gnu.version_r</c>).</summary>
    internal sealed class VersionNeed
    {
        public VersionNeed(string file, string version, ushort flags, long flagsOffset)
        {
            File = file;
            Version = version;
            Flags = flags;
            FlagsOffset = flagsOffset;
        }

        /// <summary>The library the version is needed from (vn_file), for example libstdc++.so.6.</summary>
        public string File { get; }

        /// <summary>The version name (vna_name), for example GLIBCXX_3.4.32.</summary>
        public string Version { get; }

        /// <summary>vna_flags (2 = VER_FLG_WEAK).</summary>
        public ushort Flags { get; }

        /// <summary>Byte offset of vna_flags in the file.</summary>
        public long FlagsOffset { get; }

        public bool Weak => (Flags & ElfVersionNeeds.VerFlagWeak) != 0;
    }

    /// <summary>Reads and patches the symbol-versioning sections of 64-bit little-endian ELF files.</summary>
    internal static class ElfVersionNeeds
    {
        public const string Glibcxx = "GLIBCXX_3.4.32";
        public const string LibStdCxx = "libstdc++.so.6";
        public const ushort VerFlagWeak = 2;
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Every version need of the ELF file <paramref name="bytes"/>.</summary>
        /// <exception cref="InvalidDataException">Not a 64-bit little-endian ELF file, or its sections are out of bounds.</exception>
        public static List<VersionNeed> ReadNeeds(byte[] bytes)
        {
            var result = new List<VersionNeed>();
            foreach (var section in Sections(bytes, ShtGnuVerneed))
            {
                long strtab = SectionOffset(bytes, section.Link);
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
                    int count = U16(bytes, entry + 2);
                    string file = CString(bytes, strtab + U32(bytes, entry + 4));
                    long aux = entry + U32(bytes, entry + 8);
                    for (int j = 0; j < count; j++)
                    {
                        // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
                        result.Add(new VersionNeed(file, CString(bytes, strtab + U32(bytes, aux + 8)), (ushort)U16(bytes, aux + 4), aux + 4));
                        aux += U32(bytes, aux + 12);
                    }
                    uint next = U32(bytes, entry + 12);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return result;
        }

        /// <summary>Whether the ELF file at <paramref name="path"/> defines the symbol version <paramref name="version"/> (<c>.gnu.version_d</c>).</summary>
        public static bool Defines(string path, string version)
        {
            byte[] bytes = System.IO.File.ReadAllBytes(path);
            foreach (var section in Sections(bytes, ShtGnuVerdef))
            {
                long strtab = SectionOffset(bytes, section.Link);
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32;
                    // its first Elf64_Verdaux (vda_name u32, vda_next u32) names the version.
                    long aux = entry + U32(bytes, entry + 12);
                    if (CString(bytes, strtab + U32(bytes, aux)) == version) return true;
                    uint next = U32(bytes, entry + 16);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return false;
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the need for <paramref name="version"/> from <paramref name="file"/> in the ELF file at
        /// <paramref name="path"/>. Writes a patched copy beside it and renames it over the original (so a hard link to
        /// another file, such as a package cache's, is never written through). Returns false, changing nothing, when the
        /// need is already weak.
        /// </summary>
        /// <exception cref="InvalidDataException">The file does not need that version.</exception>
        public static bool MarkWeak(string path, string file, string version)
        {
            byte[] bytes = System.IO.File.ReadAllBytes(path);
            VersionNeed need = null;
            foreach (var n in ReadNeeds(bytes))
                if (n.File == file && n.Version == version) need = n;
            if (need == null) throw new InvalidDataException(path + ": does not need " + version + " from " + file + ".");
            if (need.Weak) return false;
            ushort flags = (ushort)(need.Flags | VerFlagWeak);
            bytes[need.FlagsOffset] = (byte)flags;
            bytes[need.FlagsOffset + 1] = (byte)(flags >> 8);
            string temp = path + ".patching";
            System.IO.File.Copy(path, temp, true); // keeps the file mode (executable bits)
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write))
            {
                stream.Write(bytes, 0, bytes.Length);
            }
            System.IO.File.Delete(path);
            System.IO.File.Move(temp, path);
            return true;
        }

        /// <summary>
        /// Deletes <paramref name="folder"/> when it is a folder of natives TorchSharp consolidated from the package cache (it
        /// holds libLibTorchSharp.so): an unpatched copy there must not be loaded instead of the patched one. Returns whether
        /// it was deleted; any other folder is left alone.
        /// </summary>
        public static bool RemoveConsolidatedNatives(string folder)
        {
            if (!System.IO.File.Exists(Path.Combine(folder, "libLibTorchSharp.so"))) return false;
            Directory.Delete(folder, true);
            return true;
        }

        /// <summary>
        /// The libstdc++.so.6 the dynamic loader gives this process: the one mapped into it (the .NET runtime links it), else
        /// the first in the usual library directories; null when there is none (not Linux, or a static libstdc++).
        /// </summary>
        public static string FindSystemLibStdCxx()
        {
            try
            {
                foreach (string line in System.IO.File.ReadAllLines("/proc/self/maps"))
                {
                    int slash = line.IndexOf('/');
                    if (slash >= 0 && line.EndsWith("/" + LibStdCxx, StringComparison.Ordinal)) return line.Substring(slash);
                }
            }
            catch (IOException)
            {
                // No /proc: fall through to the usual directories.
            }
            catch (UnauthorizedAccessException)
            {
                // Same.
            }
            string[] dirs =
            {
                "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                "/usr/lib64", "/lib64", "/usr/lib", "/lib",
            };
            foreach (string dir in dirs)
            {
                string candidate = Path.Combine(dir, LibStdCxx);
                if (System.IO.File.Exists(candidate)) return candidate;
            }
            return null;
        }

        private struct Section
        {
            public long Offset;
            public uint Link;
            public uint Info;
        }

        private static List<Section> Sections(byte[] bytes, uint type)
        {
            if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file.");
            if (bytes[4] != 2 || bytes[5] != 1) throw new InvalidDataException("not a 64-bit little-endian ELF file.");
            long shoff = (long)U64(bytes, 0x28);
            int shentsize = U16(bytes, 0x3A), shnum = U16(bytes, 0x3C);
            var found = new List<Section>();
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                // Elf64_Shdr: sh_name u32, sh_type u32, sh_flags u64, sh_addr u64, sh_offset u64, sh_size u64, sh_link u32, sh_info u32, ...
                if (U32(bytes, h + 4) != type) continue;
                found.Add(new Section { Offset = (long)U64(bytes, h + 24), Link = U32(bytes, h + 40), Info = U32(bytes, h + 44) });
            }
            return found;
        }

        private static long SectionOffset(byte[] bytes, uint index)
        {
            long shoff = (long)U64(bytes, 0x28);
            int shentsize = U16(bytes, 0x3A);
            return (long)U64(bytes, shoff + (long)index * shentsize + 24);
        }

        private static int U16(byte[] b, long at)
        {
            Check(b, at, 2);
            return b[at] | (b[at + 1] << 8);
        }

        private static uint U32(byte[] b, long at)
        {
            Check(b, at, 4);
            return (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24));
        }

        private static ulong U64(byte[] b, long at) => U32(b, at) | ((ulong)U32(b, at + 4) << 32);

        private static string CString(byte[] b, long at)
        {
            long end = at;
            while (end < b.Length && b[end] != 0) end++;
            Check(b, at, (int)(end - at) + 1);
            return Encoding.ASCII.GetString(b, (int)at, (int)(end - at));
        }

        private static void Check(byte[] b, long at, int length)
        {
            if (at < 0 || at + length > b.Length) throw new InvalidDataException("ELF structure out of bounds at offset " + at + ".");
        }
    }
}
