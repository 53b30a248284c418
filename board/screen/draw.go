package screen

import (
	"image"
	"math"
	"slices"

	"rsc.io/qr/coding"
)

// The bitmap panel's size.
const (
	Width  = 128
	Height = 64
)

// Metrics of the layout, in pixels.
const (
	barH      = cellH + 1 // an inverted line: the text and a row above it
	linePitch = cellH     // body text; row 7 of the font is the space
	menuExtra = 2         // a menu's rows and these: the selected bar's top row, and a row after it
	inputH    = cellH + 3 // frame, a row of space, text, frame
	progressH = 7
	gap       = 2 // between blocks of the body
	qrModule  = 2 // pixels a QR module
	qrGutter  = 2 // dark pixels between the QR's quiet zone and the text
)

// Draw lays s out on a Width×Height image for a bitmap panel. Light pixels
// (255) are the ones lit, as board.Bitmap takes them: text is light on
// dark, the title and the selected menu item are dark on a light bar, and a
// QR code is dark modules on a light square, so that it is a camera's usual
// dark-on-light code on an OLED. (An LCD that darkens "on" pixels shows it
// inverted; most phone cameras read that too.)
//
// Draw shows what it can of any Screen: text that does not fit is cut with
// '…', and a QR text too long for the panel is shown as text.
func Draw(s Screen) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, Width, Height))
	c := canvas{img}
	area := img.Rect
	lines := s.Lines
	if s.QR != "" {
		if code := encodeQR(s.QR); code != nil {
			c.qr(code, image.Rect(0, 0, Height, Height))
			area.Min.X = Height + qrGutter
		} else if !slices.Contains(lines, s.QR) {
			lines = append([]string{s.QR}, lines...)
		}
	}
	c.layout(area, s, lines)
	return img
}

// DrawDarkOn is Draw for a panel that darkens the pixels it turns on (an
// LCD such as the ST7567): text shows dark on the clear glass, as LCDs do,
// and the QR code's square is inverted so that it too shows as dark modules
// on light, the code a phone's camera looks for.
func DrawDarkOn(s Screen) *image.Gray {
	img := Draw(s)
	if s.QR != "" && encodeQR(s.QR) != nil {
		r := image.Rect(0, 0, Height, Height)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				i := img.PixOffset(x, y)
				img.Pix[i] = 255 - img.Pix[i]
			}
		}
	}
	return img
}

// qr draws code centred in the light square r, at qrModule pixels a module.
func (c canvas) qr(code *coding.Code, r image.Rectangle) {
	c.fill(r, lit)
	off := r.Min.Add(image.Pt((r.Dx()-code.Size*qrModule)/2, (r.Dy()-code.Size*qrModule)/2))
	for y := range code.Size {
		for x := range code.Size {
			if code.Black(x, y) {
				p := off.Add(image.Pt(x*qrModule, y*qrModule))
				c.fill(image.Rectangle{p, p.Add(image.Pt(qrModule, qrModule))}, dark)
			}
		}
	}
}

// layout draws everything of s but the QR code in r: the title at the top,
// the keys at the bottom, and between them the body: lines and menu from
// the top, then the big text, the input line and the progress bar.
func (c canvas) layout(r image.Rectangle, s Screen, lines []string) {
	if r.Dx() < cellW+1 || r.Dy() < cellH {
		return
	}
	cols := (r.Dx() - 1) / cellW
	body := r
	if s.Title != "" {
		bar := image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+barH)
		c.fill(bar, lit)
		c.centred(bar.Min.Y+1, bar, ellipsize(fold(s.Title), cols), dark)
		body.Min.Y = bar.Max.Y + 1
	}
	if s.Keys != "" {
		top := r.Max.Y - cellH - 2
		c.fill(image.Rect(r.Min.X, top, r.Max.X, top+1), lit)
		c.centred(top+2, r, ellipsize(fold(s.Keys), cols), lit)
		body.Max.Y = top - 1
	}

	// The blocks at the bottom of the body, from the bottom up.
	bottom := body.Max.Y
	if s.Progress.Show {
		c.progress(image.Rect(body.Min.X+1, bottom-progressH, body.Max.X-1, bottom), s.Progress.Done)
		bottom -= progressH + gap
	}
	if s.Input != "" {
		c.input(image.Rect(body.Min.X, bottom-inputH, body.Max.X, bottom), s.Input)
		bottom -= inputH + gap
	}

	text := wrapAll(lines, cols)
	menuMin := min(len(s.Menu), 3)
	need := len(text) * linePitch
	if menuMin > 0 {
		need += menuMin*linePitch + menuExtra
	}
	big := chooseBig(s.Big, body.Dx()-2, bottom-body.Min.Y, need)
	top := body.Min.Y
	free := bottom - top - big.h
	if big.h > 0 {
		free -= gap
	}

	// Lines first, leaving the menu its few rows; the menu then takes what
	// is left.
	nLines := min(len(text), max(0, (free-menuMin*linePitch-menuExtra)/linePitch))
	if len(s.Menu) == 0 {
		nLines = min(len(text), max(0, free/linePitch))
	}
	for i := range nLines {
		line := text[i]
		if i == nLines-1 && nLines < len(text) {
			line = ellipsize(append(slices.Clone(line), '…'), cols)
		}
		c.text(body.Min.X+1, top, line, 1, 1, lit, body)
		top += linePitch
	}
	free -= nLines * linePitch
	if len(s.Menu) > 0 {
		rows := max(0, (free-menuExtra)/linePitch)
		h := 0
		if rows > 0 {
			h = rows*linePitch + menuExtra
		}
		c.menu(image.Rect(body.Min.X, top, body.Max.X, top+h), s.Menu, s.Selected)
		top += h
	}
	if big.h > 0 {
		// The big text is centred in the space that is left.
		if top > body.Min.Y {
			top += gap
		}
		c.big(image.Rect(body.Min.X, top, body.Max.X, bottom), big)
	}
}

// wrapAll wraps each line to cols.
func wrapAll(lines []string, cols int) [][]rune {
	var out [][]rune
	for _, l := range lines {
		out = append(out, wrap(l, cols)...)
	}
	return out
}

// ellipsize cuts s to cols, ending it with '…' when it was longer.
func ellipsize(s []rune, cols int) []rune {
	if cols < 1 {
		return nil
	}
	if len(s) <= cols {
		return s
	}
	out := append([]rune(nil), s[:cols-1]...)
	return append(out, '…')
}

// centred draws s centred across r at y.
func (c canvas) centred(y int, r image.Rectangle, s []rune, v uint8) {
	w := len(s)*cellW - 1
	c.text(r.Min.X+(r.Dx()-w)/2, y, s, 1, 1, v, r)
}

// menu draws items in r, Selected on a light bar, scrolled to keep it in
// view, with a scroll bar at the right when they do not all fit. Items
// are text lines; the bar takes a row above its text and leaves one after.
func (c canvas) menu(r image.Rectangle, items []string, sel int) {
	rows := (r.Dy() - menuExtra) / linePitch
	if rows < 1 || len(items) == 0 {
		return
	}
	sel = min(max(sel, 0), len(items)-1)
	first := 0
	if len(items) > rows {
		first = min(max(sel-(rows-1)/2, 0), len(items)-rows)
		c.scrollBar(image.Rect(r.Max.X-3, r.Min.Y, r.Max.X, r.Min.Y+rows*linePitch+menuExtra-1), first, rows, len(items))
		r.Max.X -= 5
	}
	cols := (r.Dx() - 1) / cellW
	y := r.Min.Y
	for i := first; i < first+rows && i < len(items); i++ {
		t := ellipsize(fold(firstLine(items[i])), cols)
		if i != sel {
			c.text(r.Min.X+1, y, t, 1, 1, lit, r)
			y += linePitch
			continue
		}
		c.fill(image.Rect(r.Min.X, y, r.Max.X, y+barH), lit)
		c.text(r.Min.X+1, y+1, t, 1, 1, dark, r)
		y += barH + 1
	}
}

// firstLine is s up to its first newline: a menu item is one line.
func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}

// scrollBar draws a dotted track the height of r with a solid thumb where
// the visible rows are.
func (c canvas) scrollBar(r image.Rectangle, first, rows, n int) {
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		c.fill(image.Rect(r.Min.X+1, y, r.Min.X+2, y+1), lit)
	}
	h := max(r.Dy()*rows/n, 3)
	top := r.Min.Y + (r.Dy()-h)*first/max(n-rows, 1)
	c.fill(image.Rect(r.Min.X, top, r.Max.X, top+h), lit)
}

// input draws the line being typed in a frame, its end in view, and a block
// cursor after it.
func (c canvas) input(r image.Rectangle, s string) {
	c.frame(r, lit)
	cols := (r.Dx()-4)/cellW - 1 // one cell for the cursor
	if cols < 0 {
		return
	}
	t := fold(firstLine(s))
	if len(t) > cols {
		t = append([]rune{'…'}, t[len(t)-cols+1:]...)
	}
	x, y := r.Min.X+2, r.Min.Y+2
	c.text(x, y, t, 1, 1, lit, r)
	cx := x + len(t)*cellW
	c.fill(image.Rect(cx, y, cx+cellW-1, y+cellH-1), lit)
}

// progress draws a framed bar filled to done (0 … 1).
func (c canvas) progress(r image.Rectangle, done float64) {
	if math.IsNaN(done) {
		done = 0
	}
	done = min(max(done, 0), 1)
	c.frame(r, lit)
	in := r.Inset(2)
	in.Max.X = in.Min.X + int(math.Round(float64(in.Dx())*done))
	c.fill(in, lit)
}

// bigText is the big text laid out: its lines, scale and height.
type bigText struct {
	lines  [][]rune
	sx, sy int
	h      int
}

// chooseBig picks the largest type in which big fits width w and leaves
// need pixels for the rest in a height of h; failing that, the smallest
// big type that leaves a line; failing that, plain type.
func chooseBig(big string, w, h, need int) bigText {
	t := fold(firstLine(big))
	if len(t) == 0 || w < cellW {
		return bigText{}
	}
	half := (len(t) + 1) / 2
	cands := []bigText{
		{lines: [][]rune{t}, sx: 3, sy: 3},
		{lines: [][]rune{t}, sx: 2, sy: 2},
		{lines: [][]rune{t[:half], t[half:]}, sx: 2, sy: 2},
		{lines: [][]rune{t}, sx: 1, sy: 2}, // tall: narrow panels still read it at a distance
	}
	var fits []bigText
	for _, b := range cands {
		if half*cellW*b.sx-b.sx > w && len(b.lines) == 2 || len(t)*cellW*b.sx-b.sx > w && len(b.lines) == 1 {
			continue
		}
		b.h = b.height()
		fits = append(fits, b)
	}
	small := bigText{lines: wrap(string(t), (w+1)/cellW), sx: 1, sy: 1}
	small.h = small.height()
	fits = append(fits, small)
	for _, b := range fits {
		if b.h+gap+need <= h {
			return b
		}
	}
	// Nothing leaves room for all the text: the text matters more (a URL
	// to type), so take the lowest big type that leaves a line, the
	// larger of two as low.
	best := small
	for _, b := range fits[:len(fits)-1] {
		if b.h+gap+min(need, linePitch) <= h && (best.sx == 1 && best.sy == 1 || b.h < best.h) {
			best = b
		}
	}
	return best
}

func (b bigText) height() int {
	return len(b.lines)*(cellH-1)*b.sy + (len(b.lines)-1)*gap*b.sy
}

// big draws b centred in r.
func (c canvas) big(r image.Rectangle, b bigText) {
	y := r.Min.Y + (r.Dy()-b.h)/2
	for _, l := range b.lines {
		w := len(l)*cellW*b.sx - b.sx
		c.text(r.Min.X+(r.Dx()-w)/2, y, l, b.sx, b.sy, lit, r)
		y += (cellH-1)*b.sy + gap*b.sy
	}
}
