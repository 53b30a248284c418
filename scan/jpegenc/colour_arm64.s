//go:build !purego

#include "textflag.h"

// toYCbCrNEON computes what toYCbCrGo does, a row of 16 pixels at a time:
// VLD3 splits the row's 48 bytes into its R, G and B bytes, which are
// widened to 16 bits; Y is the widening multiply-accumulate of the three
// by the weights, then a rounding shift. The two rows' 16-bit components
// are added and VADDP adds horizontal neighbours: the sums of 2×2 pixels,
// weighed the same way for Cb and Cr (whose weight 32768 is a shift).
// Every sum is the same integer as in the Go code, and none overflows.
// The instructions Go's assembler lacks are WORDs with their GNU
// spelling beside them.

// The weights as 16-bit lanes: yR, yG, yB, cbR, cbG, crG, crB.
DATA colourWeights<>+0(SB)/8, $0xd4cd1d2f96464c8b
DATA colourWeights<>+8(SB)/8, $0x0000eb2f94d1ab33
GLOBL colourWeights<>(SB), RODATA|NOPTR, $16

// func toYCbCrNEON(rows *byte, stride int, y *[4][64]int32, cb, cr *[64]int32)
TEXT ·toYCbCrNEON(SB), NOSPLIT, $0-40
	MOVD rows+0(FP), R0
	MOVD stride+8(FP), R6
	MOVD y+16(FP), R2
	MOVD cb+24(FP), R4
	MOVD cr+32(FP), R5
	MOVD $colourWeights<>(SB), R7
	VLD1 (R7), [V15.H8]
	MOVD $(128<<18), R7
	VDUP R7, V14.S4
	MOVD $0, R8

loop:
	// Rows 2j and 2j+1, widened: R, G, B of pixels 0-7 and 8-15 in
	// V16-V21 and V6-V11.
	ADD    R6, R0, R1
	VLD3   (R0), [V0.B16, V1.B16, V2.B16]
	VLD3   (R1), [V3.B16, V4.B16, V5.B16]
	VUXTL  V0.B8, V16.H8
	VUXTL2 V0.B16, V17.H8
	VUXTL  V1.B8, V18.H8
	VUXTL2 V1.B16, V19.H8
	VUXTL  V2.B8, V20.H8
	VUXTL2 V2.B16, V21.H8
	VUXTL  V3.B8, V6.H8
	VUXTL2 V3.B16, V7.H8
	VUXTL  V4.B8, V8.H8
	VUXTL2 V4.B16, V9.H8
	VUXTL  V5.B8, V10.H8
	VUXTL2 V5.B16, V11.H8

	// Y of row 2j: the left quarter's row at R2, the right's 256 bytes on.
	WORD $0x2f4fa216 // umull v22.4s, v16.4h, v15.h[0]
	WORD $0x2f5f2256 // umlal v22.4s, v18.4h, v15.h[1]
	WORD $0x2f6f2296 // umlal v22.4s, v20.4h, v15.h[2]
	WORD $0x6f3026d6 // urshr v22.4s, v22.4s, #16
	WORD $0x6f4fa217 // umull2 v23.4s, v16.8h, v15.h[0]
	WORD $0x6f5f2257 // umlal2 v23.4s, v18.8h, v15.h[1]
	WORD $0x6f6f2297 // umlal2 v23.4s, v20.8h, v15.h[2]
	WORD $0x6f3026f7 // urshr v23.4s, v23.4s, #16
	WORD $0x2f4fa238 // umull v24.4s, v17.4h, v15.h[0]
	WORD $0x2f5f2278 // umlal v24.4s, v19.4h, v15.h[1]
	WORD $0x2f6f22b8 // umlal v24.4s, v21.4h, v15.h[2]
	WORD $0x6f302718 // urshr v24.4s, v24.4s, #16
	WORD $0x6f4fa239 // umull2 v25.4s, v17.8h, v15.h[0]
	WORD $0x6f5f2279 // umlal2 v25.4s, v19.8h, v15.h[1]
	WORD $0x6f6f22b9 // umlal2 v25.4s, v21.8h, v15.h[2]
	WORD $0x6f302739 // urshr v25.4s, v25.4s, #16
	ADD  $256, R2, R3
	VST1 [V22.S4, V23.S4], (R2)
	VST1 [V24.S4, V25.S4], (R3)

	// Y of row 2j+1, 32 bytes further.
	WORD $0x2f4fa0d6 // umull v22.4s, v6.4h, v15.h[0]
	WORD $0x2f5f2116 // umlal v22.4s, v8.4h, v15.h[1]
	WORD $0x2f6f2156 // umlal v22.4s, v10.4h, v15.h[2]
	WORD $0x6f3026d6 // urshr v22.4s, v22.4s, #16
	WORD $0x6f4fa0d7 // umull2 v23.4s, v6.8h, v15.h[0]
	WORD $0x6f5f2117 // umlal2 v23.4s, v8.8h, v15.h[1]
	WORD $0x6f6f2157 // umlal2 v23.4s, v10.8h, v15.h[2]
	WORD $0x6f3026f7 // urshr v23.4s, v23.4s, #16
	WORD $0x2f4fa0f8 // umull v24.4s, v7.4h, v15.h[0]
	WORD $0x2f5f2138 // umlal v24.4s, v9.4h, v15.h[1]
	WORD $0x2f6f2178 // umlal v24.4s, v11.4h, v15.h[2]
	WORD $0x6f302718 // urshr v24.4s, v24.4s, #16
	WORD $0x6f4fa0f9 // umull2 v25.4s, v7.8h, v15.h[0]
	WORD $0x6f5f2139 // umlal2 v25.4s, v9.8h, v15.h[1]
	WORD $0x6f6f2179 // umlal2 v25.4s, v11.8h, v15.h[2]
	WORD $0x6f302739 // urshr v25.4s, v25.4s, #16
	ADD  $32, R2, R7
	ADD  $288, R2, R3
	VST1 [V22.S4, V23.S4], (R7)
	VST1 [V24.S4, V25.S4], (R3)

	// The sums of 2×2 pixels, chroma columns 0-7: R in V16, G in V18,
	// B in V20.
	VADD  V6.H8, V16.H8, V16.H8
	VADD  V7.H8, V17.H8, V17.H8
	VADD  V8.H8, V18.H8, V18.H8
	VADD  V9.H8, V19.H8, V19.H8
	VADD  V10.H8, V20.H8, V20.H8
	VADD  V11.H8, V21.H8, V21.H8
	VADDP V17.H8, V16.H8, V16.H8
	VADDP V19.H8, V18.H8, V18.H8
	VADDP V21.H8, V20.H8, V20.H8

	// Cb = b4<<15 + cbR·r4 + cbG·g4, plus 128<<18, rounded >>18.
	VUSHLL  $15, V20.H4, V22.S4
	VUSHLL2 $15, V20.H8, V23.S4
	WORD $0x0f7f2216 // smlal v22.4s, v16.4h, v15.h[3]
	WORD $0x4f7f2217 // smlal2 v23.4s, v16.8h, v15.h[3]
	WORD $0x0f4f2a56 // smlal v22.4s, v18.4h, v15.h[4]
	WORD $0x4f4f2a57 // smlal2 v23.4s, v18.8h, v15.h[4]
	VADD V14.S4, V22.S4, V22.S4
	VADD V14.S4, V23.S4, V23.S4
	WORD $0x4f2e26d6 // srshr v22.4s, v22.4s, #18
	WORD $0x4f2e26f7 // srshr v23.4s, v23.4s, #18
	VST1.P [V22.S4, V23.S4], 32(R4)

	// Cr = r4<<15 + crG·g4 + crB·b4, likewise.
	VUSHLL  $15, V16.H4, V24.S4
	VUSHLL2 $15, V16.H8, V25.S4
	WORD $0x0f5f2a58 // smlal v24.4s, v18.4h, v15.h[5]
	WORD $0x4f5f2a59 // smlal2 v25.4s, v18.8h, v15.h[5]
	WORD $0x0f6f2a98 // smlal v24.4s, v20.4h, v15.h[6]
	WORD $0x4f6f2a99 // smlal2 v25.4s, v20.8h, v15.h[6]
	VADD V14.S4, V24.S4, V24.S4
	VADD V14.S4, V25.S4, V25.S4
	WORD $0x4f2e2718 // srshr v24.4s, v24.4s, #18
	WORD $0x4f2e2739 // srshr v25.4s, v25.4s, #18
	VST1.P [V24.S4, V25.S4], 32(R5)

	ADD R6<<1, R0, R0
	ADD $64, R2, R2
	ADD $1, R8, R8
	CMP $4, R8
	BNE next
	ADD $256, R2, R2 // the bottom quarters

next:
	CMP $8, R8
	BNE loop
	RET
