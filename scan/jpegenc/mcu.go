package jpegenc

import "encoding/binary"

// coder codes MCU rows of one image. It is shared by the workers and never
// changed after newCoder.
type coder struct {
	luma, chroma component
	gray         bool
	mcuSize      int // 8 for gray, 16 for 4:2:0
	mcus         int // MCUs in a row
	mcuRows      int // MCU rows in the image
	stride       int // bytes in a raster row, padded to whole MCUs
}

// newCoder prepares the tables for o (already checked) and returns them
// with the quantisation tables for the header.
func newCoder(o Options) (*coder, [][64]uint8) {
	c := &coder{gray: o.Components == 1, mcuSize: 8}
	if !c.gray {
		c.mcuSize = 16
	}
	c.mcus = (o.Width + c.mcuSize - 1) / c.mcuSize
	c.mcuRows = (o.Height + c.mcuSize - 1) / c.mcuSize
	c.stride = c.mcus * c.mcuSize * o.Components

	lq := scaleQuant(&baseLumaQuant, o.Quality)
	quant := [][64]uint8{lq}
	c.luma = component{quant: newQuantizer(&lq), dc: newHuffCode(&lumaDCSpec), ac: newHuffCode(&lumaACSpec)}
	if !c.gray {
		cq := scaleQuant(&baseChromaQuant, o.Quality)
		quant = append(quant, cq)
		c.chroma = component{quant: newQuantizer(&cq), dc: newHuffCode(&chromaDCSpec), ac: newHuffCode(&chromaACSpec)}
	}
	return c, quant
}

// codeRows appends the entropy-coded MCU rows held in raster, the first of
// them MCU row first, each followed by its restart marker unless it is the
// image's last.
func (c *coder) codeRows(dst, raster []byte, first int) []byte {
	w := bitWriter{buf: dst}
	rowBytes := c.mcuSize * c.stride
	for i := 0; i*rowBytes < len(raster); i++ {
		rows := raster[i*rowBytes : (i+1)*rowBytes]
		if c.gray {
			c.grayRow(&w, rows)
		} else {
			c.rgbRow(&w, rows)
		}
		w.flush()
		if n := first + i; n < c.mcuRows-1 {
			w.buf = append(w.buf, 0xff, 0xd0+byte(n&7)) // RSTn
		}
	}
	return w.buf
}

// grayRow codes one row of 8×8 blocks; DC prediction restarts at zero.
func (c *coder) grayRow(w *bitWriter, rows []byte) {
	var b [64]int32
	prev := int32(0)
	stride := c.stride
	for x := 0; x < c.mcus*8; x += 8 {
		if v, ok := flatGray(rows, x, stride); ok {
			prev = c.luma.putLevel(w, int32(v), prev)
			continue
		}
		// The transform reads the samples from the raster itself.
		nz := fdctGray(rows[x:], stride, &c.luma.quant.recip, &b)
		prev = c.luma.putCoefficients(w, &b, nz, prev)
	}
}

// flatGray reports whether the 8×8 block at column x is one gray level.
func flatGray(rows []byte, x, stride int) (byte, bool) {
	v := binary.LittleEndian.Uint64(rows[x:])
	if v != uint64(byte(v))*0x0101010101010101 {
		return 0, false
	}
	for r := 1; r < 8; r++ {
		if binary.LittleEndian.Uint64(rows[r*stride+x:]) != v {
			return 0, false
		}
	}
	return byte(v), true
}
