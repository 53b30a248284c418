//go:build !purego

#include "textflag.h"

// The forward DCT with quantisation of fdctGo (fdct.go) for AVX2, bit for
// bit: the same int32 operations (VPMULLD keeps the low 32 bits as Go's
// int32 multiply does, VPSRAD is Go's >> on int32), only reordered where
// wrap-around addition does not care about the order.
//
// Each of the 16 ymm registers holds eight int32. The samples are loaded
// so that the first two stages of an 8×8 transpose give the columns (Yk
// lane r = row r, element k); the row pass then runs on all eight rows at
// once, a full transpose turns its outputs back into rows, the column pass
// runs on all eight columns at once and its outputs are the coefficient
// rows, quantised and stored in block order.

// 32-byte constants, each repeated in every lane.
DATA fdctK<>+0x00(SB)/8, $0x000016a1000016a1 // fix0_707106781 = 5793
DATA fdctK<>+0x08(SB)/8, $0x000016a1000016a1
DATA fdctK<>+0x10(SB)/8, $0x000016a1000016a1
DATA fdctK<>+0x18(SB)/8, $0x000016a1000016a1
DATA fdctK<>+0x20(SB)/8, $0x00000c3f00000c3f // fix0_382683433 = 3135
DATA fdctK<>+0x28(SB)/8, $0x00000c3f00000c3f
DATA fdctK<>+0x30(SB)/8, $0x00000c3f00000c3f
DATA fdctK<>+0x38(SB)/8, $0x00000c3f00000c3f
DATA fdctK<>+0x40(SB)/8, $0x0000115100001151 // fix0_541196100 = 4433
DATA fdctK<>+0x48(SB)/8, $0x0000115100001151
DATA fdctK<>+0x50(SB)/8, $0x0000115100001151
DATA fdctK<>+0x58(SB)/8, $0x0000115100001151
DATA fdctK<>+0x60(SB)/8, $0x000029cf000029cf // fix1_306562965 = 10703
DATA fdctK<>+0x68(SB)/8, $0x000029cf000029cf
DATA fdctK<>+0x70(SB)/8, $0x000029cf000029cf
DATA fdctK<>+0x78(SB)/8, $0x000029cf000029cf
DATA fdctK<>+0x80(SB)/8, $0x0000020000000200 // r1 = 1<<(constBits-pass1Bits-1)
DATA fdctK<>+0x88(SB)/8, $0x0000020000000200
DATA fdctK<>+0x90(SB)/8, $0x0000020000000200
DATA fdctK<>+0x98(SB)/8, $0x0000020000000200
DATA fdctK<>+0xa0(SB)/8, $0x0000100000001000 // r2 = 1<<(constBits-1)
DATA fdctK<>+0xa8(SB)/8, $0x0000100000001000
DATA fdctK<>+0xb0(SB)/8, $0x0000100000001000
DATA fdctK<>+0xb8(SB)/8, $0x0000100000001000
DATA fdctK<>+0xc0(SB)/8, $0x0000040000000400 // level shift of a row's DC: 8·128
DATA fdctK<>+0xc8(SB)/8, $0x0000040000000400
DATA fdctK<>+0xd0(SB)/8, $0x0000040000000400
DATA fdctK<>+0xd8(SB)/8, $0x0000040000000400
DATA fdctK<>+0xe0(SB)/8, $0x0000000080000000 // 1<<31 in each qword: divide's rounding
DATA fdctK<>+0xe8(SB)/8, $0x0000000080000000
DATA fdctK<>+0xf0(SB)/8, $0x0000000080000000
DATA fdctK<>+0xf8(SB)/8, $0x0000000080000000
DATA fdctK<>+0x100(SB)/8, $0x0000000400000000 // VPERMD order of the mask bytes: 0 4 1 5 2 6 3 7
DATA fdctK<>+0x108(SB)/8, $0x0000000500000001
DATA fdctK<>+0x110(SB)/8, $0x0000000600000002
DATA fdctK<>+0x118(SB)/8, $0x0000000700000003
GLOBL fdctK<>(SB), RODATA|NOPTR, $0x120

#define K5793 fdctK<>+0x00(SB)
#define K3135 fdctK<>+0x20(SB)
#define K4433 fdctK<>+0x40(SB)
#define K10703 fdctK<>+0x60(SB)
#define R1 fdctK<>+0x80(SB)
#define R2 fdctK<>+0xa0(SB)
#define LEVEL fdctK<>+0xc0(SB)
#define HALF fdctK<>+0xe0(SB)
#define MASKORDER fdctK<>+0x100(SB)

// LOADHALF puts elements 0..3 (off 0) or 4..7 (off 16) of rows a and a+4
// of the int32 block at SI into the low and high lane of Y: the first two
// transpose stages then yield whole columns.
#define LOADHALF(a, off, X, Y) \
	VMOVDQU (a*32+off)(SI), X \
	VINSERTI128 $1, ((a+4)*32+off)(SI), Y, Y

// COLUMNS turns the loaded halves in Y0..Y7 (rows 0..3, elements 0..3 in
// Y0..Y3 and 4..7 in Y4..Y7) into the columns Y0..Y7.
#define COLUMNS \
	VPUNPCKLDQ Y1, Y0, Y8 \
	VPUNPCKHDQ Y1, Y0, Y9 \
	VPUNPCKLDQ Y3, Y2, Y10 \
	VPUNPCKHDQ Y3, Y2, Y11 \
	VPUNPCKLDQ Y5, Y4, Y12 \
	VPUNPCKHDQ Y5, Y4, Y13 \
	VPUNPCKLDQ Y7, Y6, Y14 \
	VPUNPCKHDQ Y7, Y6, Y15 \
	VPUNPCKLQDQ Y10, Y8, Y0 \
	VPUNPCKHQDQ Y10, Y8, Y1 \
	VPUNPCKLQDQ Y11, Y9, Y2 \
	VPUNPCKHQDQ Y11, Y9, Y3 \
	VPUNPCKLQDQ Y14, Y12, Y4 \
	VPUNPCKHQDQ Y14, Y12, Y5 \
	VPUNPCKLQDQ Y15, Y13, Y6 \
	VPUNPCKHQDQ Y15, Y13, Y7

// ROWPASS is fdctGo's first loop on the columns Y0..Y7 (lane r = row r);
// it leaves p[0] in Y8, p[1] in Y3, p[2] in Y10, p[3] in Y4, p[4] in Y9,
// p[5] in Y5, p[6] in Y11 and p[7] in Y6.
#define ROWPASS \
	VPADDD Y7, Y0, Y8 \
	VPSUBD Y7, Y0, Y7 \
	VPADDD Y6, Y1, Y9 \
	VPSUBD Y6, Y1, Y6 \
	VPADDD Y5, Y2, Y10 \
	VPSUBD Y5, Y2, Y5 \
	VPADDD Y4, Y3, Y11 \
	VPSUBD Y4, Y3, Y4 \
	VPADDD Y11, Y8, Y0 \
	VPSUBD Y11, Y8, Y3 \
	VPADDD Y10, Y9, Y1 \
	VPSUBD Y10, Y9, Y2 \
	VPADDD Y1, Y0, Y8 \
	VPSUBD LEVEL, Y8, Y8 \
	VPSLLD $3, Y8, Y8 \
	VPSUBD Y1, Y0, Y9 \
	VPSLLD $3, Y9, Y9 \
	VPADDD Y3, Y2, Y2 \
	VPMULLD K5793, Y2, Y2 \
	VPSLLD $13, Y3, Y3 \
	VPADDD R1, Y3, Y3 \
	VPADDD Y2, Y3, Y10 \
	VPSRAD $10, Y10, Y10 \
	VPSUBD Y2, Y3, Y11 \
	VPSRAD $10, Y11, Y11 \
	VPADDD Y5, Y4, Y0 \
	VPADDD Y6, Y5, Y1 \
	VPADDD Y7, Y6, Y2 \
	VPSUBD Y2, Y0, Y3 \
	VPMULLD K3135, Y3, Y3 \
	VPMULLD K4433, Y0, Y0 \
	VPADDD Y3, Y0, Y0 \
	VPMULLD K10703, Y2, Y2 \
	VPADDD Y3, Y2, Y2 \
	VPMULLD K5793, Y1, Y1 \
	VPSLLD $13, Y7, Y7 \
	VPADDD R1, Y7, Y7 \
	VPADDD Y1, Y7, Y3 \
	VPSUBD Y1, Y7, Y7 \
	VPADDD Y0, Y7, Y5 \
	VPSRAD $10, Y5, Y5 \
	VPSUBD Y0, Y7, Y4 \
	VPSRAD $10, Y4, Y4 \
	VPSUBD Y2, Y3, Y6 \
	VPSRAD $10, Y6, Y6 \
	VPADDD Y2, Y3, Y3 \
	VPSRAD $10, Y3, Y3

// ROWS transposes the row pass's outputs (register of p[k], lane r = row
// r) back into the rows Y0..Y7 (lane k = p[k]).
#define ROWS \
	VPUNPCKLDQ Y3, Y8, Y0 \
	VPUNPCKHDQ Y3, Y8, Y1 \
	VPUNPCKLDQ Y4, Y10, Y2 \
	VPUNPCKHDQ Y4, Y10, Y7 \
	VPUNPCKLDQ Y5, Y9, Y12 \
	VPUNPCKHDQ Y5, Y9, Y13 \
	VPUNPCKLDQ Y6, Y11, Y14 \
	VPUNPCKHDQ Y6, Y11, Y15 \
	VPUNPCKLQDQ Y2, Y0, Y8 \
	VPUNPCKHQDQ Y2, Y0, Y9 \
	VPUNPCKLQDQ Y7, Y1, Y10 \
	VPUNPCKHQDQ Y7, Y1, Y11 \
	VPUNPCKLQDQ Y14, Y12, Y4 \
	VPUNPCKHQDQ Y14, Y12, Y5 \
	VPUNPCKLQDQ Y15, Y13, Y6 \
	VPUNPCKHQDQ Y15, Y13, Y7 \
	VPERM2I128 $0x20, Y4, Y8, Y0 \
	VPERM2I128 $0x31, Y4, Y8, Y4 \
	VPERM2I128 $0x20, Y5, Y9, Y1 \
	VPERM2I128 $0x31, Y5, Y9, Y5 \
	VPERM2I128 $0x20, Y6, Y10, Y2 \
	VPERM2I128 $0x31, Y6, Y10, Y6 \
	VPERM2I128 $0x20, Y7, Y11, Y3 \
	VPERM2I128 $0x31, Y7, Y11, Y7

// QUANT divides V (coefficient row k, at byte offset off of the recip
// table at DX) as divide does: the high half of the 64-bit signed product
// plus 2^31 (in each qword of Y15), even lanes then odd lanes. T, U are
// scratch.
#define QUANT(V, off, T, U) \
	VPMULDQ off(DX), V, U \
	VPSRLQ $32, off(DX), T \
	VPSRLQ $32, V, V \
	VPMULDQ T, V, V \
	VPADDQ Y15, U, U \
	VPADDQ Y15, V, V \
	VPSRLQ $32, U, U \
	VPBLENDD $0xaa, V, U, V

// COLPASS is fdctGo's second loop on the rows Y0..Y7 (lane i = column i),
// quantised and stored to DI in block order. It leaves the coefficient rows
// 0..7 in Y8, Y1, Y10, Y4, Y9, Y5, Y11, Y7.
#define COLPASS \
	VPADDD Y7, Y0, Y8 \
	VPSUBD Y7, Y0, Y7 \
	VPADDD Y6, Y1, Y9 \
	VPSUBD Y6, Y1, Y6 \
	VPADDD Y5, Y2, Y10 \
	VPSUBD Y5, Y2, Y5 \
	VPADDD Y4, Y3, Y11 \
	VPSUBD Y4, Y3, Y4 \
	VPADDD Y11, Y8, Y0 \
	VPSUBD Y11, Y8, Y3 \
	VPADDD Y10, Y9, Y1 \
	VPSUBD Y10, Y9, Y2 \
	VPADDD Y1, Y0, Y8 \
	VPSUBD Y1, Y0, Y9 \
	VPADDD Y3, Y2, Y2 \
	VPMULLD K5793, Y2, Y2 \
	VPSLLD $13, Y3, Y3 \
	VPADDD R2, Y3, Y3 \
	VPADDD Y2, Y3, Y10 \
	VPSRAD $13, Y10, Y10 \
	VPSUBD Y2, Y3, Y11 \
	VPSRAD $13, Y11, Y11 \
	VPADDD Y5, Y4, Y0 \
	VPADDD Y6, Y5, Y1 \
	VPADDD Y7, Y6, Y2 \
	VPSUBD Y2, Y0, Y3 \
	VPMULLD K3135, Y3, Y3 \
	VPMULLD K4433, Y0, Y0 \
	VPADDD Y3, Y0, Y0 \
	VPMULLD K10703, Y2, Y2 \
	VPADDD Y3, Y2, Y2 \
	VPMULLD K5793, Y1, Y1 \
	VPSLLD $13, Y7, Y7 \
	VPADDD R2, Y7, Y7 \
	VPADDD Y1, Y7, Y3 \
	VPSUBD Y1, Y7, Y7 \
	VPADDD Y0, Y7, Y5 \
	VPSRAD $13, Y5, Y5 \
	VPSUBD Y0, Y7, Y4 \
	VPSRAD $13, Y4, Y4 \
	VPSUBD Y2, Y3, Y7 \
	VPSRAD $13, Y7, Y7 \
	VPADDD Y2, Y3, Y3 \
	VPSRAD $13, Y3, Y1 \
	VMOVDQU HALF, Y15 \
	QUANT(Y8, 0x00, Y0, Y2) \
	QUANT(Y1, 0x20, Y3, Y6) \
	QUANT(Y10, 0x40, Y12, Y13) \
	QUANT(Y4, 0x60, Y14, Y0) \
	QUANT(Y9, 0x80, Y2, Y3) \
	QUANT(Y5, 0xa0, Y6, Y12) \
	QUANT(Y11, 0xc0, Y13, Y14) \
	QUANT(Y7, 0xe0, Y0, Y2) \
	VMOVDQU Y8, 0x00(DI) \
	VMOVDQU Y1, 0x20(DI) \
	VMOVDQU Y10, 0x40(DI) \
	VMOVDQU Y4, 0x60(DI) \
	VMOVDQU Y9, 0x80(DI) \
	VMOVDQU Y5, 0xa0(DI) \
	VMOVDQU Y11, 0xc0(DI) \
	VMOVDQU Y7, 0xe0(DI)

// NONZERO leaves in AX the mask of the non-zero coefficients of rows
// c0..c7: signed saturation keeps zero zero and anything else non-zero, so
// the rows are packed to bytes (in-lane, so the dwords come out as halves
// of rows 0 1 2 3 0 1 2 3), put back in block order and compared with 0.
#define NONZERO(c0, c1, c2, c3, c4, c5, c6, c7) \
	VPACKSSDW c1, c0, Y0 \
	VPACKSSDW c3, c2, Y2 \
	VPACKSSWB Y2, Y0, Y0 \
	VPACKSSDW c5, c4, Y3 \
	VPACKSSDW c7, c6, Y6 \
	VPACKSSWB Y6, Y3, Y3 \
	VMOVDQU MASKORDER, Y12 \
	VPERMD Y0, Y12, Y0 \
	VPERMD Y3, Y12, Y3 \
	VPXOR Y13, Y13, Y13 \
	VPCMPEQB Y13, Y0, Y0 \
	VPCMPEQB Y13, Y3, Y3 \
	VPMOVMSKB Y0, AX \
	VPMOVMSKB Y3, BX \
	SHLQ $32, BX \
	ORQ BX, AX \
	NOTQ AX

// func fdctAVX2(b *[64]int32, recip *[64]uint32) uint64
TEXT ·fdctAVX2(SB), NOSPLIT, $0-24
	MOVQ b+0(FP), SI
	MOVQ recip+8(FP), DX
	MOVQ SI, DI
	LOADHALF(0, 0, X0, Y0)
	LOADHALF(1, 0, X1, Y1)
	LOADHALF(2, 0, X2, Y2)
	LOADHALF(3, 0, X3, Y3)
	LOADHALF(0, 16, X4, Y4)
	LOADHALF(1, 16, X5, Y5)
	LOADHALF(2, 16, X6, Y6)
	LOADHALF(3, 16, X7, Y7)
	COLUMNS
	ROWPASS
	ROWS
	COLPASS
	NONZERO(Y8, Y1, Y10, Y4, Y9, Y5, Y11, Y7)
	VZEROUPPER
	MOVQ AX, ret+16(FP)
	RET

// GRAYPAIR loads the 8 samples of rows a (at A) and a+4 (at B) and widens
// them into Y (elements 0..3 of both rows) and Z (elements 4..7), the
// layout LOADHALF gives.
#define GRAYPAIR(A, B, Y, Z) \
	VMOVQ A, X8 \
	VMOVQ B, X9 \
	VPUNPCKLDQ X9, X8, X8 \
	VPMOVZXBD X8, Y \
	VPSRLDQ $8, X8, X8 \
	VPMOVZXBD X8, Z

// func fdctGrayAVX2(p *byte, stride int, recip *[64]uint32, b *[64]int32) uint64
TEXT ·fdctGrayAVX2(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), SI
	MOVQ stride+8(FP), BX
	MOVQ recip+16(FP), DX
	MOVQ b+24(FP), DI
	LEAQ (BX)(BX*2), R8
	LEAQ (SI)(BX*4), R9
	GRAYPAIR((SI), (R9), Y0, Y4)
	GRAYPAIR((SI)(BX*1), (R9)(BX*1), Y1, Y5)
	GRAYPAIR((SI)(BX*2), (R9)(BX*2), Y2, Y6)
	GRAYPAIR((SI)(R8*1), (R9)(R8*1), Y3, Y7)
	COLUMNS
	ROWPASS
	ROWS
	COLPASS
	NONZERO(Y8, Y1, Y10, Y4, Y9, Y5, Y11, Y7)
	VZEROUPPER
	MOVQ AX, ret+32(FP)
	RET
