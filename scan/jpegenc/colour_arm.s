//go:build !purego

#include "textflag.h"

// toYCbCrNEON computes what toYCbCrGo does, as colour_arm64.s does but on
// ARMv7's 64-bit NEON registers: half a row (8 pixels) at a time, VLD3
// splitting the 24 bytes into R, G and B. Go's assembler knows no NEON
// instruction: they are WORDs, with their GNU spelling beside them.
// D6 holds the weights yR, yG, yB; D7 cbR, cbG, crG, crB; Q2 the
// chroma bias 128<<18.

DATA colourWeights<>+0(SB)/8, $0x00001d2f96464c8b
DATA colourWeights<>+8(SB)/8, $0xeb2f94d1ab33d4cd
GLOBL colourWeights<>(SB), RODATA|NOPTR, $16

// HALF widens the 8 pixels of two rows in D0-D2 and D8-D10 to 16 bits
// (R, G, B of the upper row in Q8-Q10, of the lower in Q11-Q13), stores
// the upper row's Y at R5 and the lower's at R6, and leaves the sums of
// the two rows in Q8-Q10.
#define HALF \
	WORD $0xf3c80a10 /* vmovl.u8 q8, d0 */ \
	WORD $0xf3c82a11 /* vmovl.u8 q9, d1 */ \
	WORD $0xf3c84a12 /* vmovl.u8 q10, d2 */ \
	WORD $0xf3c86a18 /* vmovl.u8 q11, d8 */ \
	WORD $0xf3c88a19 /* vmovl.u8 q12, d9 */ \
	WORD $0xf3c8aa1a /* vmovl.u8 q13, d10 */ \
	WORD $0xf3d0cac6 /* vmull.u16 q14, d16, d6[0] */ \
	WORD $0xf3d2c2ce /* vmlal.u16 q14, d18, d6[1] */ \
	WORD $0xf3d4c2e6 /* vmlal.u16 q14, d20, d6[2] */ \
	WORD $0xf3f0c27c /* vrshr.u32 q14, q14, #16 */ \
	WORD $0xf3d1eac6 /* vmull.u16 q15, d17, d6[0] */ \
	WORD $0xf3d3e2ce /* vmlal.u16 q15, d19, d6[1] */ \
	WORD $0xf3d5e2e6 /* vmlal.u16 q15, d21, d6[2] */ \
	WORD $0xf3f0e27e /* vrshr.u32 q15, q15, #16 */ \
	WORD $0xf445c28f /* vst1.32 {d28, d29, d30, d31}, [r5] */ \
	WORD $0xf3d6cac6 /* vmull.u16 q14, d22, d6[0] */ \
	WORD $0xf3d8c2ce /* vmlal.u16 q14, d24, d6[1] */ \
	WORD $0xf3dac2e6 /* vmlal.u16 q14, d26, d6[2] */ \
	WORD $0xf3f0c27c /* vrshr.u32 q14, q14, #16 */ \
	WORD $0xf3d7eac6 /* vmull.u16 q15, d23, d6[0] */ \
	WORD $0xf3d9e2ce /* vmlal.u16 q15, d25, d6[1] */ \
	WORD $0xf3dbe2e6 /* vmlal.u16 q15, d27, d6[2] */ \
	WORD $0xf3f0e27e /* vrshr.u32 q15, q15, #16 */ \
	WORD $0xf446c28f /* vst1.32 {d28, d29, d30, d31}, [r6] */ \
	WORD $0xf25008e6 /* vadd.i16 q8, q8, q11 */ \
	WORD $0xf25228e8 /* vadd.i16 q9, q9, q12 */ \
	WORD $0xf25448ea /* vadd.i16 q10, q10, q13 */

// func toYCbCrNEON(rows *byte, stride int, y *[4][64]int32, cb, cr *[64]int32)
TEXT ·toYCbCrNEON(SB), NOSPLIT, $0-20
	MOVW rows+0(FP), R0
	MOVW stride+4(FP), R1
	MOVW y+8(FP), R2
	MOVW cb+12(FP), R3
	MOVW cr+16(FP), R4
	MOVW $colourWeights<>(SB), R5
	WORD $0xf4256a4f // vld1.16 {d6, d7}, [r5]
	MOVW $(128<<18), R5
	WORD $0xeea45b10 // vdup.32 q2, r5
	MOVW $0, R8

loop:
	// The left halves of rows 2j (R0) and 2j+1 (R7).
	ADD R1, R0, R7
	WORD $0xf420040f // vld3.8 {d0, d1, d2}, [r0]
	WORD $0xf427840f // vld3.8 {d8, d9, d10}, [r7]
	MOVW R2, R5
	ADD  $32, R2, R6
	HALF
	// Their 2×2 sums, chroma columns 0-3, wait in D11-D13.
	WORD $0xf210bbb1 // vpadd.i16 d11, d16, d17
	WORD $0xf212cbb3 // vpadd.i16 d12, d18, d19
	WORD $0xf214dbb5 // vpadd.i16 d13, d20, d21

	// The right halves: Y to the right quarter, 256 bytes on.
	ADD $24, R0, R5
	ADD $24, R7, R6
	WORD $0xf425040f // vld3.8 {d0, d1, d2}, [r5]
	WORD $0xf426840f // vld3.8 {d8, d9, d10}, [r6]
	ADD $256, R2, R5
	ADD $288, R2, R6
	HALF
	// Sums of columns 4-7 beside those of 0-3: R in Q8, G in Q9, B in Q10.
	WORD $0xf2501bb1 // vpadd.i16 d17, d16, d17
	WORD $0xf2523bb3 // vpadd.i16 d19, d18, d19
	WORD $0xf2545bb5 // vpadd.i16 d21, d20, d21
	WORD $0xf26b011b // vmov d16, d11
	WORD $0xf26c211c // vmov d18, d12
	WORD $0xf26d411d // vmov d20, d13

	// Cb = b4<<15 + cbR·r4 + cbG·g4, plus 128<<18, rounded >>18.
	WORD $0xf3dfca34 // vshll.u16 q14, d20, #15
	WORD $0xf3dfea35 // vshll.u16 q15, d21, #15
	WORD $0xf2d0c2c7 // vmlal.s16 q14, d16, d7[0]
	WORD $0xf2d1e2c7 // vmlal.s16 q15, d17, d7[0]
	WORD $0xf2d2c2cf // vmlal.s16 q14, d18, d7[1]
	WORD $0xf2d3e2cf // vmlal.s16 q15, d19, d7[1]
	WORD $0xf26cc8c4 // vadd.i32 q14, q14, q2
	WORD $0xf26ee8c4 // vadd.i32 q15, q15, q2
	WORD $0xf2eec27c // vrshr.s32 q14, q14, #18
	WORD $0xf2eee27e // vrshr.s32 q15, q15, #18
	WORD $0xf443c28d // vst1.32 {d28, d29, d30, d31}, [r3]!

	// Cr = r4<<15 + crG·g4 + crB·b4, likewise.
	WORD $0xf3dfca30 // vshll.u16 q14, d16, #15
	WORD $0xf3dfea31 // vshll.u16 q15, d17, #15
	WORD $0xf2d2c2e7 // vmlal.s16 q14, d18, d7[2]
	WORD $0xf2d3e2e7 // vmlal.s16 q15, d19, d7[2]
	WORD $0xf2d4c2ef // vmlal.s16 q14, d20, d7[3]
	WORD $0xf2d5e2ef // vmlal.s16 q15, d21, d7[3]
	WORD $0xf26cc8c4 // vadd.i32 q14, q14, q2
	WORD $0xf26ee8c4 // vadd.i32 q15, q15, q2
	WORD $0xf2eec27c // vrshr.s32 q14, q14, #18
	WORD $0xf2eee27e // vrshr.s32 q15, q15, #18
	WORD $0xf444c28d // vst1.32 {d28, d29, d30, d31}, [r4]!

	ADD  R1<<1, R0, R0
	ADD  $64, R2, R2
	ADD  $1, R8, R8
	CMP  $4, R8
	BNE  next
	ADD  $256, R2, R2 // the bottom quarters

next:
	CMP $8, R8
	BNE loop
	RET
