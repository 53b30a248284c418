//go:build !purego

#include "textflag.h"

// toYCbCrAVX2 computes what toYCbCrGo does, eight pixels to a register:
// the two 128-bit lanes take pixels 0-3 and 4-7 of a group, loaded from
// bytes 0-15 and 8-23 so that no load reaches past the MCU's 48 bytes.
// A byte shuffle spreads each pixel into the 16-bit pairs (R, B) and
// (G, G) of a 32-bit lane, and VPMADDWD weighs a pair at once: G's weight
// 38470 does not fit 16 signed bits, so it is split in two (32767 + 5703).
// The pairs of two rows are added, and VPHADDD adds the horizontal
// neighbours: the (R, B) and (G, G) sums of 2×2 pixels, weighed the same
// way for Cb and Cr, whose 32768 is 32767 and one more addition.
// Every sum is the same integer as in the Go code, and none overflows.

// PIX converts the 8 pixels at off(base) into 8 Y samples stored at dst,
// and leaves their (R, B) and (G, G) pairs in RB and GG.
#define PIX(off, base, RB, GG, dst) \
	VMOVDQU     off(base), X4             \
	VINSERTI128 $1, off+8(base), Y4, Y4   \
	VPSHUFB     Y7, Y4, RB                \
	VPSHUFB     Y8, Y4, GG                \
	VPMADDWD    Y9, RB, Y5                \
	VPMADDWD    Y10, GG, Y6               \
	VPADDD      Y5, Y6, Y5                \
	VPADDD      Y11, Y5, Y5               \
	VPSRLD      $16, Y5, Y5               \
	VMOVDQU     Y5, dst

// func toYCbCrAVX2(rows *byte, stride int, y *[4][64]int32, cb, cr *[64]int32)
TEXT ·toYCbCrAVX2(SB), NOSPLIT, $0-40
	MOVQ rows+0(FP), SI
	MOVQ stride+8(FP), BX
	MOVQ y+16(FP), DI
	MOVQ cb+24(FP), R8
	MOVQ cr+32(FP), R9

	VMOVDQU shufRB<>(SB), Y7
	VMOVDQU shufGG<>(SB), Y8
	VMOVDQU lumaRB<>(SB), Y9
	VMOVDQU lumaGG<>(SB), Y10
	VMOVDQU lumaRound<>(SB), Y11

	XORQ CX, CX

loop:
	// Two pixel rows: Y rows 2j and 2j+1 of the left and right quarters
	// (256 bytes apart), and the pair sums in Y0-Y3.
	LEAQ (SI)(BX*1), DX
	PIX(0, SI, Y0, Y1, 0(DI))
	PIX(24, SI, Y2, Y3, 256(DI))
	PIX(0, DX, Y12, Y13, 32(DI))
	VPADDD Y12, Y0, Y0
	VPADDD Y13, Y1, Y1
	PIX(24, DX, Y14, Y15, 288(DI))
	VPADDD Y14, Y2, Y2
	VPADDD Y15, Y3, Y3

	// Horizontal sums: lanes hold chroma columns 0 1 4 5 | 2 3 6 7;
	// VPERMQ puts them in order.
	VPHADDD Y2, Y0, Y4
	VPERMQ  $0xD8, Y4, Y4
	VPHADDD Y3, Y1, Y5
	VPERMQ  $0xD8, Y5, Y5

	// Cb = cbR·r4 + cbG·g4 + 32767·b4 + b4.
	VPMADDWD cbRB<>(SB), Y4, Y6
	VPMADDWD cbGG<>(SB), Y5, Y12
	VPADDD   Y12, Y6, Y6
	VPSRLD   $16, Y4, Y12
	VPADDD   Y12, Y6, Y6
	VPADDD   chromaBias<>(SB), Y6, Y6
	VPSRAD   $18, Y6, Y6
	VMOVDQU  Y6, (R8)

	// Cr = 32767·r4 + r4 + crG·g4 + crB·b4.
	VPMADDWD crRB<>(SB), Y4, Y6
	VPMADDWD crGG<>(SB), Y5, Y12
	VPADDD   Y12, Y6, Y6
	VPAND    low16<>(SB), Y4, Y12
	VPADDD   Y12, Y6, Y6
	VPADDD   chromaBias<>(SB), Y6, Y6
	VPSRAD   $18, Y6, Y6
	VMOVDQU  Y6, (R9)

	LEAQ (SI)(BX*2), SI
	ADDQ $64, DI
	ADDQ $32, R8
	ADDQ $32, R9
	INCQ CX
	CMPQ CX, $4
	JNE  next
	ADDQ $256, DI // the bottom quarters
next:
	CMPQ CX, $8
	JNE  loop

	VZEROUPPER
	RET

DATA shufRB<>+0(SB)/8, $0x8005800380028000
DATA shufRB<>+8(SB)/8, $0x800b800980088006
DATA shufRB<>+16(SB)/8, $0x8009800780068004
DATA shufRB<>+24(SB)/8, $0x800f800d800c800a
GLOBL shufRB<>(SB), RODATA|NOPTR, $32

DATA shufGG<>+0(SB)/8, $0x8004800480018001
DATA shufGG<>+8(SB)/8, $0x800a800a80078007
DATA shufGG<>+16(SB)/8, $0x8008800880058005
DATA shufGG<>+24(SB)/8, $0x800e800e800b800b
GLOBL shufGG<>(SB), RODATA|NOPTR, $32

DATA lumaRB<>+0(SB)/8, $0x1d2f4c8b1d2f4c8b
DATA lumaRB<>+8(SB)/8, $0x1d2f4c8b1d2f4c8b
DATA lumaRB<>+16(SB)/8, $0x1d2f4c8b1d2f4c8b
DATA lumaRB<>+24(SB)/8, $0x1d2f4c8b1d2f4c8b
GLOBL lumaRB<>(SB), RODATA|NOPTR, $32

DATA lumaGG<>+0(SB)/8, $0x16477fff16477fff
DATA lumaGG<>+8(SB)/8, $0x16477fff16477fff
DATA lumaGG<>+16(SB)/8, $0x16477fff16477fff
DATA lumaGG<>+24(SB)/8, $0x16477fff16477fff
GLOBL lumaGG<>(SB), RODATA|NOPTR, $32

DATA lumaRound<>+0(SB)/8, $0x0000800000008000
DATA lumaRound<>+8(SB)/8, $0x0000800000008000
DATA lumaRound<>+16(SB)/8, $0x0000800000008000
DATA lumaRound<>+24(SB)/8, $0x0000800000008000
GLOBL lumaRound<>(SB), RODATA|NOPTR, $32

DATA cbRB<>+0(SB)/8, $0x7fffd4cd7fffd4cd
DATA cbRB<>+8(SB)/8, $0x7fffd4cd7fffd4cd
DATA cbRB<>+16(SB)/8, $0x7fffd4cd7fffd4cd
DATA cbRB<>+24(SB)/8, $0x7fffd4cd7fffd4cd
GLOBL cbRB<>(SB), RODATA|NOPTR, $32

DATA cbGG<>+0(SB)/8, $0x0000ab330000ab33
DATA cbGG<>+8(SB)/8, $0x0000ab330000ab33
DATA cbGG<>+16(SB)/8, $0x0000ab330000ab33
DATA cbGG<>+24(SB)/8, $0x0000ab330000ab33
GLOBL cbGG<>(SB), RODATA|NOPTR, $32

DATA crRB<>+0(SB)/8, $0xeb2f7fffeb2f7fff
DATA crRB<>+8(SB)/8, $0xeb2f7fffeb2f7fff
DATA crRB<>+16(SB)/8, $0xeb2f7fffeb2f7fff
DATA crRB<>+24(SB)/8, $0xeb2f7fffeb2f7fff
GLOBL crRB<>(SB), RODATA|NOPTR, $32

DATA crGG<>+0(SB)/8, $0x000094d1000094d1
DATA crGG<>+8(SB)/8, $0x000094d1000094d1
DATA crGG<>+16(SB)/8, $0x000094d1000094d1
DATA crGG<>+24(SB)/8, $0x000094d1000094d1
GLOBL crGG<>(SB), RODATA|NOPTR, $32

DATA chromaBias<>+0(SB)/8, $0x0202000002020000
DATA chromaBias<>+8(SB)/8, $0x0202000002020000
DATA chromaBias<>+16(SB)/8, $0x0202000002020000
DATA chromaBias<>+24(SB)/8, $0x0202000002020000
GLOBL chromaBias<>(SB), RODATA|NOPTR, $32

DATA low16<>+0(SB)/8, $0x0000ffff0000ffff
DATA low16<>+8(SB)/8, $0x0000ffff0000ffff
DATA low16<>+16(SB)/8, $0x0000ffff0000ffff
DATA low16<>+24(SB)/8, $0x0000ffff0000ffff
GLOBL low16<>(SB), RODATA|NOPTR, $32
