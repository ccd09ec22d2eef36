# The AVX512-VNNI tile of Int8Gemm (Avx512VnniTile.cs holds the bytes this assembles to; a test reassembles this file
# with GNU as and compares). Assemble: as -o tile.o Avx512VnniTile.S && objcopy -O binary -j .text tile.o tile.bin
#
# void tile(int groups, const uint8_t* a, int lda, const int8_t* panels, int32_t* tile)   (System V AMD64 ABI)
#   edi = groups: groups of 4 k (> 0);  rsi = a: 6 rows of u8 activation codes, row stride lda (edx) bytes;
#   rcx = panels: two consecutive 16-channel panels of QuantizedWeights, groups·64 bytes each;
#   r8 = tile: the 6×32 int32 result, row-major (128 bytes per row).
# tile[r][c] = Σ_g Σ_t a[r][4g + t] · panel[c / 16][g][c % 16][t], exact in int32: vpdpbusd adds the four u8·s8
# products of each dword lane to the accumulator without saturation. zmm0..11 accumulate (row r: zmm2r for channels
# 0-15, zmm2r+1 for 16-31), zmm12/13 hold the two panels' 64 bytes of the group, zmm14..19 the rows' 4 bytes broadcast.
# Only caller-saved registers are used; vzeroupper before returning to code that may use the legacy SSE encodings.
        .intel_syntax noprefix
        .text
        .globl tile
tile:
        movsxd  rdx, edx                # lda
        movsxd  rax, edi                # groups left
        mov     r9, rax
        shl     r9, 6
        add     r9, rcx                 # second panel = panels + groups·64
        lea     r10, [rsi + 2*rdx]      # row 2 (row 3 = r10 + lda)
        lea     r11, [rsi + 4*rdx]      # row 4 (row 5 = r11 + lda)
        vpxord  zmm0, zmm0, zmm0
        vpxord  zmm1, zmm1, zmm1
        vpxord  zmm2, zmm2, zmm2
        vpxord  zmm3, zmm3, zmm3
        vpxord  zmm4, zmm4, zmm4
        vpxord  zmm5, zmm5, zmm5
        vpxord  zmm6, zmm6, zmm6
        vpxord  zmm7, zmm7, zmm7
        vpxord  zmm8, zmm8, zmm8
        vpxord  zmm9, zmm9, zmm9
        vpxord  zmm10, zmm10, zmm10
        vpxord  zmm11, zmm11, zmm11
1:
        vmovdqu64 zmm12, [rcx]
        vmovdqu64 zmm13, [r9]
        vpbroadcastd zmm14, [rsi]
        vpdpbusd zmm0, zmm14, zmm12
        vpdpbusd zmm1, zmm14, zmm13
        vpbroadcastd zmm15, [rsi + rdx]
        vpdpbusd zmm2, zmm15, zmm12
        vpdpbusd zmm3, zmm15, zmm13
        vpbroadcastd zmm16, [r10]
        vpdpbusd zmm4, zmm16, zmm12
        vpdpbusd zmm5, zmm16, zmm13
        vpbroadcastd zmm17, [r10 + rdx]
        vpdpbusd zmm6, zmm17, zmm12
        vpdpbusd zmm7, zmm17, zmm13
        vpbroadcastd zmm18, [r11]
        vpdpbusd zmm8, zmm18, zmm12
        vpdpbusd zmm9, zmm18, zmm13
        vpbroadcastd zmm19, [r11 + rdx]
        vpdpbusd zmm10, zmm19, zmm12
        vpdpbusd zmm11, zmm19, zmm13
        add     rsi, 4
        add     r10, 4
        add     r11, 4
        add     rcx, 64
        add     r9, 64
        dec     rax
        jnz     1b
        vmovdqu64 [r8], zmm0
        vmovdqu64 [r8 + 64], zmm1
        vmovdqu64 [r8 + 128], zmm2
        vmovdqu64 [r8 + 192], zmm3
        vmovdqu64 [r8 + 256], zmm4
        vmovdqu64 [r8 + 320], zmm5
        vmovdqu64 [r8 + 384], zmm6
        vmovdqu64 [r8 + 448], zmm7
        vmovdqu64 [r8 + 512], zmm8
        vmovdqu64 [r8 + 576], zmm9
        vmovdqu64 [r8 + 640], zmm10
        vmovdqu64 [r8 + 704], zmm11
        vzeroupper
        ret
        .section .note.GNU-stack,"",@progbits
