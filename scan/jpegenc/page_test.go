package jpegenc

// Synthetic rasters for the tests and benchmarks: document-like pages (text
// lines of word blocks, rules, a heading, a photo-like patch and, in colour,
// coloured print) and smooth gradients.

// splitmix is a small deterministic generator, so that pages are the same
// on every run and Go release.
type splitmix struct{ s uint64 }

func (r *splitmix) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func (r *splitmix) intn(n int) int { return int(r.next() % uint64(n)) }

// docPage draws a document page of w×h pixels with bpp 1 (gray) or 3 (RGB)
// bytes a pixel. noise adds ±noise to every sample, as a scanner's sensor
// does.
func docPage(w, h, bpp, noise int, seed uint64) []byte {
	p := make([]byte, w*h*bpp)
	for i := range p {
		p[i] = 0xff
	}
	rnd := &splitmix{s: seed}
	rect := func(x0, y0, x1, y1 int, c [3]byte) {
		x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				copy(p[(y*w+x)*bpp:(y*w+x+1)*bpp], c[:bpp])
			}
		}
	}
	ink := [3]byte{0x1c, 0x1c, 0x1c}
	blue := [3]byte{0x10, 0x30, 0xa0}
	red := [3]byte{0xc0, 0x20, 0x20}
	if bpp == 1 {
		blue, red = [3]byte{0x40}, [3]byte{0x60}
	}
	unit := max(1, w/100) // about 25 px at A4 300 dpi
	margin := 4 * unit

	// Heading: big blue letters, a rule under it.
	y := 3 * unit
	for x := margin; x < w/2; {
		lw := unit + rnd.intn(unit)
		rect(x, y, x+lw, y+2*unit, blue)
		x += lw + unit/3 + rnd.intn(2)*unit
	}
	y += 3 * unit
	rect(margin, y, w-margin, y+max(1, unit/8), ink)
	y += unit

	// A photo-like patch: smooth shading with a round highlight.
	pw, ph := w/4, min(h/6, w/4)
	px, py := w-margin-pw, y
	for yy := range ph {
		for xx := range pw {
			dx, dy := xx-pw/2, yy-ph/2
			v := 60 + 150*xx/max(1, pw) + 40*yy/max(1, ph)
			if dx*dx+dy*dy < pw*ph/16 {
				v = 230 - (dx*dx+dy*dy)*120/max(1, pw*ph/16)
			}
			c := [3]byte{byte(v), byte(v * 3 / 4), byte(255 - v/2)}
			if bpp == 1 {
				c[0] = byte(v)
			}
			rect(px+xx, py+yy, px+xx+1, py+yy+1, c)
		}
	}

	// Body text at about 12 points: lines of words of letter shapes drawn
	// with strokes a few pixels wide, stems, bowls, ascenders, descenders.
	pitch := max(3, 2*unit)
	xh := max(1, pitch*2/5)
	sw := max(1, xh/7)
	line := 0
	for top := y; top+pitch < h-3*unit; top += pitch {
		right := w - margin
		if top < py+ph+unit {
			right = px - unit
		}
		line++
		if line%7 == 0 {
			continue // paragraph break
		}
		c := ink
		if bpp == 3 && line%11 == 5 {
			c = red
		}
		base := top + xh*3/4 + xh // baseline
		for x := margin; x < right; x += xh * 2 / 3 {
			for range 1 + rnd.intn(8) {
				lw := max(1, xh/2+rnd.intn(xh/2+1))
				if x+lw > right {
					break
				}
				t := base - xh
				switch rnd.intn(7) {
				case 0: // n
					rect(x, t, x+sw, base, c)
					rect(x+lw-sw, t, x+lw, base, c)
					rect(x, t, x+lw, t+sw, c)
				case 1: // o
					rect(x, t, x+sw, base, c)
					rect(x+lw-sw, t, x+lw, base, c)
					rect(x, t, x+lw, t+sw, c)
					rect(x, base-sw, x+lw, base, c)
				case 2: // e
					rect(x, t, x+sw, base, c)
					rect(x, t, x+lw, t+sw, c)
					rect(x, (t+base)/2, x+lw, (t+base)/2+sw, c)
					rect(x, base-sw, x+lw, base, c)
					rect(x+lw-sw, t, x+lw, (t+base)/2, c)
				case 3: // l, h
					rect(x, t-xh*3/4, x+sw, base, c)
					if lw > 2*sw {
						rect(x+lw-sw, t, x+lw, base, c)
						rect(x, t, x+lw, t+sw, c)
					}
				case 4: // p
					rect(x, t, x+sw, base+xh/2, c)
					rect(x, t, x+lw, t+sw, c)
					rect(x+lw-sw, t, x+lw, base, c)
					rect(x, base-sw, x+lw, base, c)
				case 5: // i
					lw = min(lw, 2*sw)
					rect(x, t, x+sw, base, c)
					rect(x, t-2*sw, x+sw, t-sw, c)
				default: // v, as a staircase
					for i := range lw {
						yy := t + (base-t)*i/max(1, lw)
						rect(x+i/2, yy, x+i/2+sw, yy+max(1, xh/lw+1), c)
						rect(x+lw-i/2-sw, yy, x+lw-i/2, yy+max(1, xh/lw+1), c)
					}
				}
				x += lw + max(1, xh/5)
			}
		}
	}
	if noise > 0 {
		for i := range p {
			v := int(p[i]) + rnd.intn(2*noise+1) - noise
			p[i] = byte(min(max(v, 0), 255))
		}
	}
	return p
}

// gradient draws smooth diagonal ramps, a different one per component.
func gradient(w, h, bpp int) []byte {
	p := make([]byte, w*h*bpp)
	for y := range h {
		for x := range w {
			for c := range bpp {
				v := (x*(200+20*c) + y*(120-30*c)) / max(1, w+h)
				p[(y*w+x)*bpp+c] = byte(20 + v)
			}
		}
	}
	return p
}
