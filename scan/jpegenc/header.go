package jpegenc

// header returns the markers from SOI to SOS for the image c codes: JFIF
// APP0, the quantisation tables, SOF0, the Huffman tables, the restart
// interval (one MCU row) and the scan header.
func (c *coder) header(o Options, quant [][64]uint8) []byte {
	h := []byte{0xff, 0xd8} // SOI

	units, density := byte(0), 1 // aspect ratio only
	if o.DPI > 0 {
		units, density = 1, o.DPI // dots per inch
	}
	h = append(h, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, units)
	h = be16(be16(h, density), density)
	h = append(h, 0, 0) // no thumbnail

	h = be16(append(h, 0xff, 0xdb), 2+65*len(quant)) // DQT
	for i, t := range quant {
		h = append(h, byte(i)) // 8-bit entries, table i
		for _, z := range zigzag {
			h = append(h, t[z])
		}
	}

	type tableRef struct {
		class byte // 0x00 DC, 0x10 AC, plus the table number
		spec  *huffSpec
	}
	huff := []tableRef{{0x00, &lumaDCSpec}, {0x10, &lumaACSpec}}
	comps := [][3]byte{{1, 0x11, 0}} // id, sampling factors, table number
	if !c.gray {
		huff = append(huff, tableRef{0x01, &chromaDCSpec}, tableRef{0x11, &chromaACSpec})
		comps = [][3]byte{{1, 0x22, 0}, {2, 0x11, 1}, {3, 0x11, 1}}
	}

	h = be16(append(h, 0xff, 0xc0), 8+3*len(comps)) // SOF0
	h = append(h, 8)                                // bits a sample
	h = be16(be16(h, o.Height), o.Width)
	h = append(h, byte(len(comps)))
	for _, cp := range comps {
		h = append(h, cp[:]...)
	}

	n := 2
	for _, t := range huff {
		n += 17 + len(t.spec.values)
	}
	h = be16(append(h, 0xff, 0xc4), n) // DHT
	for _, t := range huff {
		h = append(h, t.class)
		h = append(h, t.spec.counts[:]...)
		h = append(h, t.spec.values...)
	}

	h = be16(append(h, 0xff, 0xdd, 0, 4), c.mcus) // DRI

	h = be16(append(h, 0xff, 0xda), 6+2*len(comps)) // SOS
	h = append(h, byte(len(comps)))
	for _, cp := range comps {
		h = append(h, cp[0], cp[2]<<4|cp[2]) // DC and AC table numbers
	}
	return append(h, 0, 63, 0) // spectral selection, successive approximation
}

func be16(b []byte, v int) []byte { return append(b, byte(v>>8), byte(v)) }
