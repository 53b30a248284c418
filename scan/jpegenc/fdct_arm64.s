//go:build !purego

#include "textflag.h"

// fdctNEON is fdctGo (fdct.go) for arm64 with ASIMD: the same operations on
// the same int32 values, four rows or four columns at a time, so its output
// is the same bit for bit. A row of the block is two registers; each pass
// transposes 4×4 quarters with TRN1/TRN2 so that the butterflies run across
// registers. The quantiser is SMULL (int32×int32→int64) and RSHRN #32, which
// is (p + 2^31) >> 32 narrowed to 32 bits, exactly divide in block.go.
//
// Go's assembler has no MUL (by element), SSHR, SMULL, SMULL2, RSHRN or
// RSHRN2; those are WORDs, each followed by its mnemonic. The file is
// straight-line code: one block is about 370 instructions.

// Lanes: the four 13-bit constants of fdct.go (fix0_382683433,
// fix0_541196100, fix0_707106781, fix1_306562965), the row pass's rounding
// (1<<9), the level shift (8·128/8 per row: 1024), the column pass's
// rounding (1<<12).
DATA fdctConsts<>+0x00(SB)/4, $3135
DATA fdctConsts<>+0x04(SB)/4, $4433
DATA fdctConsts<>+0x08(SB)/4, $5793
DATA fdctConsts<>+0x0c(SB)/4, $10703
DATA fdctConsts<>+0x10(SB)/4, $512
DATA fdctConsts<>+0x14(SB)/4, $512
DATA fdctConsts<>+0x18(SB)/4, $512
DATA fdctConsts<>+0x1c(SB)/4, $512
DATA fdctConsts<>+0x20(SB)/4, $1024
DATA fdctConsts<>+0x24(SB)/4, $1024
DATA fdctConsts<>+0x28(SB)/4, $1024
DATA fdctConsts<>+0x2c(SB)/4, $1024
DATA fdctConsts<>+0x30(SB)/4, $4096
DATA fdctConsts<>+0x34(SB)/4, $4096
DATA fdctConsts<>+0x38(SB)/4, $4096
DATA fdctConsts<>+0x3c(SB)/4, $4096
GLOBL fdctConsts<>(SB), RODATA|NOPTR, $64

// func fdctNEON(b *[64]int32, recip *[64]uint32) uint64
TEXT ·fdctNEON(SB), NOSPLIT|NOFRAME, $0-24

	// Load the block (row y in V2y, columns 0-3, and V2y+1, columns 4-7)
	// and the constants.
	MOVD	b+0(FP), R0
	MOVD	recip+8(FP), R1
	MOVD	$fdctConsts<>(SB), R2
	MOVD	R0, R3
	VLD1.P	64(R3), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P	64(R3), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P	64(R3), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P	64(R3), [V12.S4, V13.S4, V14.S4, V15.S4]
	VLD1.P	48(R2), [V28.S4, V29.S4, V30.S4]

	// Row pass: transpose each 4×4 quarter so that a register holds one
	// column of four rows, then run the butterflies across registers.
	VTRN1	V2.S4, V0.S4, V16.S4
	VTRN2	V2.S4, V0.S4, V17.S4
	VTRN1	V6.S4, V4.S4, V18.S4
	VTRN2	V6.S4, V4.S4, V19.S4
	VTRN1	V18.D2, V16.D2, V0.D2
	VTRN1	V19.D2, V17.D2, V2.D2
	VTRN2	V18.D2, V16.D2, V4.D2
	VTRN2	V19.D2, V17.D2, V6.D2
	VTRN1	V3.S4, V1.S4, V20.S4
	VTRN2	V3.S4, V1.S4, V21.S4
	VTRN1	V7.S4, V5.S4, V22.S4
	VTRN2	V7.S4, V5.S4, V23.S4
	VTRN1	V22.D2, V20.D2, V1.D2
	VTRN1	V23.D2, V21.D2, V3.D2
	VTRN2	V22.D2, V20.D2, V5.D2
	VTRN2	V23.D2, V21.D2, V7.D2
	VTRN1	V10.S4, V8.S4, V24.S4
	VTRN2	V10.S4, V8.S4, V25.S4
	VTRN1	V14.S4, V12.S4, V26.S4
	VTRN2	V14.S4, V12.S4, V27.S4
	VTRN1	V26.D2, V24.D2, V8.D2
	VTRN1	V27.D2, V25.D2, V10.D2
	VTRN2	V26.D2, V24.D2, V12.D2
	VTRN2	V27.D2, V25.D2, V14.D2
	VTRN1	V11.S4, V9.S4, V31.S4
	VTRN2	V11.S4, V9.S4, V16.S4
	VTRN1	V15.S4, V13.S4, V17.S4
	VTRN2	V15.S4, V13.S4, V18.S4
	VTRN1	V17.D2, V31.D2, V9.D2
	VTRN1	V18.D2, V16.D2, V11.D2
	VTRN2	V17.D2, V31.D2, V13.D2
	VTRN2	V18.D2, V16.D2, V15.D2

	// rows 0-3
	VADD	V7.S4, V0.S4, V19.S4
	VSUB	V7.S4, V0.S4, V7.S4
	VADD	V5.S4, V2.S4, V0.S4
	VSUB	V5.S4, V2.S4, V5.S4
	VADD	V3.S4, V4.S4, V2.S4
	VSUB	V3.S4, V4.S4, V3.S4
	VADD	V1.S4, V6.S4, V4.S4
	VSUB	V1.S4, V6.S4, V1.S4
	VADD	V4.S4, V19.S4, V20.S4
	VSUB	V4.S4, V19.S4, V19.S4
	VADD	V2.S4, V0.S4, V4.S4
	VSUB	V2.S4, V0.S4, V0.S4
	VADD	V4.S4, V20.S4, V21.S4
	VSUB	V4.S4, V20.S4, V20.S4
	VSUB	V30.S4, V21.S4, V21.S4
	VSHL	$3, V21.S4, V21.S4
	VSHL	$3, V20.S4, V20.S4
	VADD	V19.S4, V0.S4, V0.S4
	WORD	$0x4f9c8800 // mul v0.4s, v0.4s, v28.s[2]
	VSHL	$13, V19.S4, V19.S4
	VADD	V29.S4, V19.S4, V19.S4
	VADD	V0.S4, V19.S4, V22.S4
	WORD	$0x4f3606d6 // sshr v22.4s, v22.4s, #10
	VSUB	V0.S4, V19.S4, V19.S4
	WORD	$0x4f360673 // sshr v19.4s, v19.4s, #10
	VADD	V3.S4, V1.S4, V23.S4
	VADD	V5.S4, V3.S4, V3.S4
	VADD	V7.S4, V5.S4, V5.S4
	VSUB	V5.S4, V23.S4, V1.S4
	WORD	$0x4f9c8021 // mul v1.4s, v1.4s, v28.s[0]
	WORD	$0x4fbc82f7 // mul v23.4s, v23.4s, v28.s[1]
	VADD	V1.S4, V23.S4, V23.S4
	WORD	$0x4fbc88a5 // mul v5.4s, v5.4s, v28.s[3]
	VADD	V1.S4, V5.S4, V5.S4
	WORD	$0x4f9c8863 // mul v3.4s, v3.4s, v28.s[2]
	VSHL	$13, V7.S4, V7.S4
	VADD	V29.S4, V7.S4, V7.S4
	VADD	V3.S4, V7.S4, V24.S4
	VSUB	V3.S4, V7.S4, V3.S4
	VADD	V23.S4, V3.S4, V25.S4
	WORD	$0x4f360739 // sshr v25.4s, v25.4s, #10
	VSUB	V23.S4, V3.S4, V3.S4
	WORD	$0x4f360463 // sshr v3.4s, v3.4s, #10
	VADD	V5.S4, V24.S4, V26.S4
	WORD	$0x4f36075a // sshr v26.4s, v26.4s, #10
	VSUB	V5.S4, V24.S4, V24.S4
	WORD	$0x4f360718 // sshr v24.4s, v24.4s, #10

	// rows 4-7
	VADD	V15.S4, V8.S4, V27.S4
	VSUB	V15.S4, V8.S4, V15.S4
	VADD	V13.S4, V10.S4, V8.S4
	VSUB	V13.S4, V10.S4, V13.S4
	VADD	V11.S4, V12.S4, V10.S4
	VSUB	V11.S4, V12.S4, V11.S4
	VADD	V9.S4, V14.S4, V12.S4
	VSUB	V9.S4, V14.S4, V9.S4
	VADD	V12.S4, V27.S4, V31.S4
	VSUB	V12.S4, V27.S4, V27.S4
	VADD	V10.S4, V8.S4, V12.S4
	VSUB	V10.S4, V8.S4, V8.S4
	VADD	V12.S4, V31.S4, V16.S4
	VSUB	V12.S4, V31.S4, V31.S4
	VSUB	V30.S4, V16.S4, V16.S4
	VSHL	$3, V16.S4, V16.S4
	VSHL	$3, V31.S4, V31.S4
	VADD	V27.S4, V8.S4, V8.S4
	WORD	$0x4f9c8908 // mul v8.4s, v8.4s, v28.s[2]
	VSHL	$13, V27.S4, V27.S4
	VADD	V29.S4, V27.S4, V27.S4
	VADD	V8.S4, V27.S4, V17.S4
	WORD	$0x4f360631 // sshr v17.4s, v17.4s, #10
	VSUB	V8.S4, V27.S4, V27.S4
	WORD	$0x4f36077b // sshr v27.4s, v27.4s, #10
	VADD	V11.S4, V9.S4, V18.S4
	VADD	V13.S4, V11.S4, V11.S4
	VADD	V15.S4, V13.S4, V13.S4
	VSUB	V13.S4, V18.S4, V9.S4
	WORD	$0x4f9c8129 // mul v9.4s, v9.4s, v28.s[0]
	WORD	$0x4fbc8252 // mul v18.4s, v18.4s, v28.s[1]
	VADD	V9.S4, V18.S4, V18.S4
	WORD	$0x4fbc89ad // mul v13.4s, v13.4s, v28.s[3]
	VADD	V9.S4, V13.S4, V13.S4
	WORD	$0x4f9c896b // mul v11.4s, v11.4s, v28.s[2]
	VSHL	$13, V15.S4, V15.S4
	VADD	V29.S4, V15.S4, V15.S4
	VADD	V11.S4, V15.S4, V6.S4
	VSUB	V11.S4, V15.S4, V11.S4
	VADD	V18.S4, V11.S4, V2.S4
	WORD	$0x4f360442 // sshr v2.4s, v2.4s, #10
	VSUB	V18.S4, V11.S4, V11.S4
	WORD	$0x4f36056b // sshr v11.4s, v11.4s, #10
	VADD	V13.S4, V6.S4, V4.S4
	WORD	$0x4f360484 // sshr v4.4s, v4.4s, #10
	VSUB	V13.S4, V6.S4, V6.S4
	WORD	$0x4f3604c6 // sshr v6.4s, v6.4s, #10

	// Column pass: transpose back, so that a register holds four columns of
	// one row.
	VTRN1	V26.S4, V21.S4, V0.S4
	VTRN2	V26.S4, V21.S4, V1.S4
	VTRN1	V3.S4, V22.S4, V7.S4
	VTRN2	V3.S4, V22.S4, V23.S4
	VTRN1	V7.D2, V0.D2, V21.D2
	VTRN1	V23.D2, V1.D2, V26.D2
	VTRN2	V7.D2, V0.D2, V22.D2
	VTRN2	V23.D2, V1.D2, V3.D2
	VTRN1	V25.S4, V20.S4, V5.S4
	VTRN2	V25.S4, V20.S4, V14.S4
	VTRN1	V24.S4, V19.S4, V10.S4
	VTRN2	V24.S4, V19.S4, V12.S4
	VTRN1	V10.D2, V5.D2, V20.D2
	VTRN1	V12.D2, V14.D2, V25.D2
	VTRN2	V10.D2, V5.D2, V19.D2
	VTRN2	V12.D2, V14.D2, V24.D2
	VTRN1	V4.S4, V16.S4, V8.S4
	VTRN2	V4.S4, V16.S4, V9.S4
	VTRN1	V11.S4, V17.S4, V15.S4
	VTRN2	V11.S4, V17.S4, V18.S4
	VTRN1	V15.D2, V8.D2, V16.D2
	VTRN1	V18.D2, V9.D2, V4.D2
	VTRN2	V15.D2, V8.D2, V17.D2
	VTRN2	V18.D2, V9.D2, V11.D2
	VTRN1	V2.S4, V31.S4, V13.S4
	VTRN2	V2.S4, V31.S4, V30.S4
	VTRN1	V6.S4, V27.S4, V0.S4
	VTRN2	V6.S4, V27.S4, V1.S4
	VTRN1	V0.D2, V13.D2, V31.D2
	VTRN1	V1.D2, V30.D2, V2.D2
	VTRN2	V0.D2, V13.D2, V27.D2
	VTRN2	V1.D2, V30.D2, V6.D2
	VLD1	(R2), [V29.S4]

	// columns 0-3
	VADD	V11.S4, V21.S4, V7.S4
	VSUB	V11.S4, V21.S4, V11.S4
	VADD	V17.S4, V26.S4, V21.S4
	VSUB	V17.S4, V26.S4, V17.S4
	VADD	V4.S4, V22.S4, V26.S4
	VSUB	V4.S4, V22.S4, V4.S4
	VADD	V16.S4, V3.S4, V22.S4
	VSUB	V16.S4, V3.S4, V16.S4
	VADD	V22.S4, V7.S4, V23.S4
	VSUB	V22.S4, V7.S4, V7.S4
	VADD	V26.S4, V21.S4, V22.S4
	VSUB	V26.S4, V21.S4, V21.S4
	VADD	V22.S4, V23.S4, V5.S4
	VSUB	V22.S4, V23.S4, V23.S4
	VADD	V7.S4, V21.S4, V21.S4
	WORD	$0x4f9c8ab5 // mul v21.4s, v21.4s, v28.s[2]
	VSHL	$13, V7.S4, V7.S4
	VADD	V29.S4, V7.S4, V7.S4
	VADD	V21.S4, V7.S4, V14.S4
	WORD	$0x4f3305ce // sshr v14.4s, v14.4s, #13
	VSUB	V21.S4, V7.S4, V7.S4
	WORD	$0x4f3304e7 // sshr v7.4s, v7.4s, #13
	VADD	V4.S4, V16.S4, V10.S4
	VADD	V17.S4, V4.S4, V4.S4
	VADD	V11.S4, V17.S4, V17.S4
	VSUB	V17.S4, V10.S4, V16.S4
	WORD	$0x4f9c8210 // mul v16.4s, v16.4s, v28.s[0]
	WORD	$0x4fbc814a // mul v10.4s, v10.4s, v28.s[1]
	VADD	V16.S4, V10.S4, V10.S4
	WORD	$0x4fbc8a31 // mul v17.4s, v17.4s, v28.s[3]
	VADD	V16.S4, V17.S4, V17.S4
	WORD	$0x4f9c8884 // mul v4.4s, v4.4s, v28.s[2]
	VSHL	$13, V11.S4, V11.S4
	VADD	V29.S4, V11.S4, V11.S4
	VADD	V4.S4, V11.S4, V12.S4
	VSUB	V4.S4, V11.S4, V4.S4
	VADD	V10.S4, V4.S4, V8.S4
	WORD	$0x4f330508 // sshr v8.4s, v8.4s, #13
	VSUB	V10.S4, V4.S4, V4.S4
	WORD	$0x4f330484 // sshr v4.4s, v4.4s, #13
	VADD	V17.S4, V12.S4, V9.S4
	WORD	$0x4f330529 // sshr v9.4s, v9.4s, #13
	VSUB	V17.S4, V12.S4, V12.S4
	WORD	$0x4f33058c // sshr v12.4s, v12.4s, #13

	// quantise and store columns 0-3
	FMOVQ	0(R1), F15
	WORD	$0x0eafc0b2 // smull v18.2d, v5.2s, v15.2s
	WORD	$0x4eafc0ad // smull2 v13.2d, v5.4s, v15.4s
	WORD	$0x0f208e45 // rshrn v5.2s, v18.2d, #32
	WORD	$0x4f208da5 // rshrn2 v5.4s, v13.2d, #32
	FMOVQ	F5, 0(R0)
	FMOVQ	32(R1), F30
	WORD	$0x0ebec120 // smull v0.2d, v9.2s, v30.2s
	WORD	$0x4ebec121 // smull2 v1.2d, v9.4s, v30.4s
	WORD	$0x0f208c09 // rshrn v9.2s, v0.2d, #32
	WORD	$0x4f208c29 // rshrn2 v9.4s, v1.2d, #32
	FMOVQ	F9, 32(R0)
	FMOVQ	64(R1), F3
	WORD	$0x0ea3c1da // smull v26.2d, v14.2s, v3.2s
	WORD	$0x4ea3c1d6 // smull2 v22.2d, v14.4s, v3.4s
	WORD	$0x0f208f4e // rshrn v14.2s, v26.2d, #32
	WORD	$0x4f208ece // rshrn2 v14.4s, v22.2d, #32
	FMOVQ	F14, 64(R0)
	FMOVQ	96(R1), F21
	WORD	$0x0eb5c090 // smull v16.2d, v4.2s, v21.2s
	WORD	$0x4eb5c08b // smull2 v11.2d, v4.4s, v21.4s
	WORD	$0x0f208e04 // rshrn v4.2s, v16.2d, #32
	WORD	$0x4f208d64 // rshrn2 v4.4s, v11.2d, #32
	FMOVQ	F4, 96(R0)
	FMOVQ	128(R1), F10
	WORD	$0x0eaac2f1 // smull v17.2d, v23.2s, v10.2s
	WORD	$0x4eaac2ef // smull2 v15.2d, v23.4s, v10.4s
	WORD	$0x0f208e37 // rshrn v23.2s, v17.2d, #32
	WORD	$0x4f208df7 // rshrn2 v23.4s, v15.2d, #32
	FMOVQ	F23, 128(R0)
	FMOVQ	160(R1), F18
	WORD	$0x0eb2c10d // smull v13.2d, v8.2s, v18.2s
	WORD	$0x4eb2c11e // smull2 v30.2d, v8.4s, v18.4s
	WORD	$0x0f208da8 // rshrn v8.2s, v13.2d, #32
	WORD	$0x4f208fc8 // rshrn2 v8.4s, v30.2d, #32
	FMOVQ	F8, 160(R0)
	FMOVQ	192(R1), F0
	WORD	$0x0ea0c0e1 // smull v1.2d, v7.2s, v0.2s
	WORD	$0x4ea0c0e3 // smull2 v3.2d, v7.4s, v0.4s
	WORD	$0x0f208c27 // rshrn v7.2s, v1.2d, #32
	WORD	$0x4f208c67 // rshrn2 v7.4s, v3.2d, #32
	FMOVQ	F7, 192(R0)
	FMOVQ	224(R1), F26
	WORD	$0x0ebac196 // smull v22.2d, v12.2s, v26.2s
	WORD	$0x4ebac195 // smull2 v21.2d, v12.4s, v26.4s
	WORD	$0x0f208ecc // rshrn v12.2s, v22.2d, #32
	WORD	$0x4f208eac // rshrn2 v12.4s, v21.2d, #32
	FMOVQ	F12, 224(R0)

	// columns 4-7
	VADD	V6.S4, V20.S4, V16.S4
	VSUB	V6.S4, V20.S4, V6.S4
	VADD	V27.S4, V25.S4, V20.S4
	VSUB	V27.S4, V25.S4, V27.S4
	VADD	V2.S4, V19.S4, V25.S4
	VSUB	V2.S4, V19.S4, V2.S4
	VADD	V31.S4, V24.S4, V19.S4
	VSUB	V31.S4, V24.S4, V31.S4
	VADD	V19.S4, V16.S4, V11.S4
	VSUB	V19.S4, V16.S4, V16.S4
	VADD	V25.S4, V20.S4, V19.S4
	VSUB	V25.S4, V20.S4, V20.S4
	VADD	V19.S4, V11.S4, V10.S4
	VSUB	V19.S4, V11.S4, V11.S4
	VADD	V16.S4, V20.S4, V20.S4
	WORD	$0x4f9c8a94 // mul v20.4s, v20.4s, v28.s[2]
	VSHL	$13, V16.S4, V16.S4
	VADD	V29.S4, V16.S4, V16.S4
	VADD	V20.S4, V16.S4, V17.S4
	WORD	$0x4f330631 // sshr v17.4s, v17.4s, #13
	VSUB	V20.S4, V16.S4, V16.S4
	WORD	$0x4f330610 // sshr v16.4s, v16.4s, #13
	VADD	V2.S4, V31.S4, V15.S4
	VADD	V27.S4, V2.S4, V2.S4
	VADD	V6.S4, V27.S4, V27.S4
	VSUB	V27.S4, V15.S4, V31.S4
	WORD	$0x4f9c83ff // mul v31.4s, v31.4s, v28.s[0]
	WORD	$0x4fbc81ef // mul v15.4s, v15.4s, v28.s[1]
	VADD	V31.S4, V15.S4, V15.S4
	WORD	$0x4fbc8b7b // mul v27.4s, v27.4s, v28.s[3]
	VADD	V31.S4, V27.S4, V27.S4
	WORD	$0x4f9c8842 // mul v2.4s, v2.4s, v28.s[2]
	VSHL	$13, V6.S4, V6.S4
	VADD	V29.S4, V6.S4, V6.S4
	VADD	V2.S4, V6.S4, V18.S4
	VSUB	V2.S4, V6.S4, V2.S4
	VADD	V15.S4, V2.S4, V13.S4
	WORD	$0x4f3305ad // sshr v13.4s, v13.4s, #13
	VSUB	V15.S4, V2.S4, V2.S4
	WORD	$0x4f330442 // sshr v2.4s, v2.4s, #13
	VADD	V27.S4, V18.S4, V30.S4
	WORD	$0x4f3307de // sshr v30.4s, v30.4s, #13
	VSUB	V27.S4, V18.S4, V18.S4
	WORD	$0x4f330652 // sshr v18.4s, v18.4s, #13

	// quantise and store columns 4-7
	FMOVQ	16(R1), F0
	WORD	$0x0ea0c141 // smull v1.2d, v10.2s, v0.2s
	WORD	$0x4ea0c143 // smull2 v3.2d, v10.4s, v0.4s
	WORD	$0x0f208c2a // rshrn v10.2s, v1.2d, #32
	WORD	$0x4f208c6a // rshrn2 v10.4s, v3.2d, #32
	FMOVQ	F10, 16(R0)
	FMOVQ	48(R1), F26
	WORD	$0x0ebac3d6 // smull v22.2d, v30.2s, v26.2s
	WORD	$0x4ebac3d5 // smull2 v21.2d, v30.4s, v26.4s
	WORD	$0x0f208ede // rshrn v30.2s, v22.2d, #32
	WORD	$0x4f208ebe // rshrn2 v30.4s, v21.2d, #32
	FMOVQ	F30, 48(R0)
	FMOVQ	80(R1), F24
	WORD	$0x0eb8c239 // smull v25.2d, v17.2s, v24.2s
	WORD	$0x4eb8c233 // smull2 v19.2d, v17.4s, v24.4s
	WORD	$0x0f208f31 // rshrn v17.2s, v25.2d, #32
	WORD	$0x4f208e71 // rshrn2 v17.4s, v19.2d, #32
	FMOVQ	F17, 80(R0)
	FMOVQ	112(R1), F20
	WORD	$0x0eb4c05f // smull v31.2d, v2.2s, v20.2s
	WORD	$0x4eb4c046 // smull2 v6.2d, v2.4s, v20.4s
	WORD	$0x0f208fe2 // rshrn v2.2s, v31.2d, #32
	WORD	$0x4f208cc2 // rshrn2 v2.4s, v6.2d, #32
	FMOVQ	F2, 112(R0)
	FMOVQ	144(R1), F15
	WORD	$0x0eafc17b // smull v27.2d, v11.2s, v15.2s
	WORD	$0x4eafc160 // smull2 v0.2d, v11.4s, v15.4s
	WORD	$0x0f208f6b // rshrn v11.2s, v27.2d, #32
	WORD	$0x4f208c0b // rshrn2 v11.4s, v0.2d, #32
	FMOVQ	F11, 144(R0)
	FMOVQ	176(R1), F1
	WORD	$0x0ea1c1a3 // smull v3.2d, v13.2s, v1.2s
	WORD	$0x4ea1c1ba // smull2 v26.2d, v13.4s, v1.4s
	WORD	$0x0f208c6d // rshrn v13.2s, v3.2d, #32
	WORD	$0x4f208f4d // rshrn2 v13.4s, v26.2d, #32
	FMOVQ	F13, 176(R0)
	FMOVQ	208(R1), F22
	WORD	$0x0eb6c215 // smull v21.2d, v16.2s, v22.2s
	WORD	$0x4eb6c218 // smull2 v24.2d, v16.4s, v22.4s
	WORD	$0x0f208eb0 // rshrn v16.2s, v21.2d, #32
	WORD	$0x4f208f10 // rshrn2 v16.4s, v24.2d, #32
	FMOVQ	F16, 208(R0)
	FMOVQ	240(R1), F25
	WORD	$0x0eb9c253 // smull v19.2d, v18.2s, v25.2s
	WORD	$0x4eb9c254 // smull2 v20.2d, v18.4s, v25.4s
	WORD	$0x0f208e72 // rshrn v18.2s, v19.2d, #32
	WORD	$0x4f208e92 // rshrn2 v18.4s, v20.2d, #32
	FMOVQ	F18, 240(R0)

	// The mask: lanes of all ones where a coefficient is not zero, narrowed
	// to one byte per coefficient in block order, ANDed with its bit's
	// weight in its byte and summed by pairs three times.
	VCMTST	V5.S4, V5.S4, V5.S4
	VCMTST	V10.S4, V10.S4, V10.S4
	VUZP1	V10.H8, V5.H8, V5.H8
	VCMTST	V9.S4, V9.S4, V9.S4
	VCMTST	V30.S4, V30.S4, V30.S4
	VUZP1	V30.H8, V9.H8, V9.H8
	VCMTST	V14.S4, V14.S4, V14.S4
	VCMTST	V17.S4, V17.S4, V17.S4
	VUZP1	V17.H8, V14.H8, V14.H8
	VCMTST	V4.S4, V4.S4, V4.S4
	VCMTST	V2.S4, V2.S4, V2.S4
	VUZP1	V2.H8, V4.H8, V4.H8
	VCMTST	V23.S4, V23.S4, V23.S4
	VCMTST	V11.S4, V11.S4, V11.S4
	VUZP1	V11.H8, V23.H8, V23.H8
	VCMTST	V8.S4, V8.S4, V8.S4
	VCMTST	V13.S4, V13.S4, V13.S4
	VUZP1	V13.H8, V8.H8, V8.H8
	VCMTST	V7.S4, V7.S4, V7.S4
	VCMTST	V16.S4, V16.S4, V16.S4
	VUZP1	V16.H8, V7.H8, V7.H8
	VCMTST	V12.S4, V12.S4, V12.S4
	VCMTST	V18.S4, V18.S4, V18.S4
	VUZP1	V18.H8, V12.H8, V12.H8
	VUZP1	V9.B16, V5.B16, V5.B16
	VUZP1	V4.B16, V14.B16, V14.B16
	VUZP1	V8.B16, V23.B16, V23.B16
	VUZP1	V12.B16, V7.B16, V7.B16
	MOVD	$0x8040201008040201, R3
	VDUP	R3, V31.D2
	VAND	V31.B16, V5.B16, V5.B16
	VAND	V31.B16, V14.B16, V14.B16
	VAND	V31.B16, V23.B16, V23.B16
	VAND	V31.B16, V7.B16, V7.B16
	VADDP	V14.B16, V5.B16, V5.B16
	VADDP	V7.B16, V23.B16, V23.B16
	VADDP	V23.B16, V5.B16, V5.B16
	VADDP	V5.B16, V5.B16, V5.B16
	VMOV	V5.D[0], R0
	MOVD	R0, ret+16(FP)
	RET
