// Package jpegenc is a streaming, multi-core baseline JPEG encoder for
// scanner rasters.
//
// A Writer takes the raster rows of one image top to bottom, in writes of
// any size, and never holds more than a few strips of the image: memory is
// O(width × rows in flight), whatever the height. Gray images are coded as
// one component; RGB as YCbCr with 4:2:0 chroma subsampling, as JFIF
// decoders expect.
//
// The stream is baseline sequential JPEG (SOF0) with the typical Huffman
// tables of ITU T.81 Annex K, so nothing has to be seen twice, and the
// Annex K quantisation tables scaled by quality as libjpeg does. A restart
// marker ends every MCU row (8 pixel rows for gray, 16 for RGB), so each
// MCU row is entropy-coded on its own: strips of rows are coded by several
// goroutines at once and written out in order. The markers cost two or
// three bytes a row, and every baseline decoder understands them. The
// output depends only on the raster and the Options other than Workers.
//
// The forward DCT is the Arai-Agui-Nakajima flow graph in 32-bit fixed
// point with 13-bit constants, its scale factors folded into the
// quantiser, which divides each output by one multiplication with a
// reciprocal as the column pass produces it. Integer arithmetic gives the
// same bytes on every architecture (floating point would not: Go fuses
// multiply-adds on arm64), 32-bit multiplies are cheap on ARMv7, and
// 32-bit lanes vectorise: the transform with quantisation and the colour
// conversion have assembly for AVX2 (amd64, when the CPU has it) and NEON
// (arm64; ARMv7 with NEON for the colour conversion), each the same
// arithmetic as its pure-Go twin (-tags purego), and TestGolden pins the
// bytes on every architecture. Blocks of one flat level, such as blank
// paper in a clean raster, skip the transform: theirs is known exactly.
package jpegenc
