package scan_test

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"scanmail/scan"
)

// officeText is the running text of the office test page: real words, so
// that OCR can say how many of them a PDF keeps legible.
var officeText = []string{
	"The quarterly report shows that sales in the northern region grew by",
	"twelve percent while costs remained stable. Our new printer fleet",
	"reduced paper waste, and the service team answered most requests",
	"within one working day. The board thanks every member of staff for",
	"their careful work during a difficult winter and asks each department",
	"to send its budget proposal before the end of next month. Please keep",
	"copies of signed contracts in the archive room on the second floor.",
	"Questions about travel expenses should go to the finance office, which",
	"is open every morning from nine until noon except on public holidays.",
}

// officeTable is the page's table, header row first.
var officeTable = [][]string{
	{"Region", "Orders", "Revenue", "Change"},
	{"North", "1482", "96400", "+12"},
	{"South", "1137", "71250", "+4"},
	{"East", "964", "58800", "-3"},
	{"West", "1321", "80150", "+7"},
}

// officeWords are the words of the page OCR is scored on, in lower case.
func officeWords() []string {
	var words []string
	for _, line := range officeText {
		words = append(words, ocrWords(line)...)
	}
	for _, row := range officeTable {
		words = append(words, ocrWords(strings.Join(row, " "))...)
	}
	return words
}

// ocrWords splits text into lower-case words of letters and digits.
func ocrWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}

// officePage draws a typical A4 office page at dpi: a logo and a coloured
// heading, paragraphs of text, a table with a tinted header row, a photo
// and a red note, on slightly noisy paper, the way a scanner sees it. It
// returns the page as the scanner sends it in mode (gray8 or rgb24). The
// page is the same on every call.
func officePage(tb testing.TB, mode scan.Mode, dpi int) (scan.PageHeader, []byte) {
	tb.Helper()
	w, h := dpi*827/100, dpi*1169/100
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{0xf6, 0xf4, 0xef, 0xff}), image.Point{}, draw.Src)
	px := func(in float64) int { return int(in*float64(dpi) + 0.5) }
	face := func(ttf []byte, pt float64) font.Face {
		f, err := opentype.Parse(ttf)
		if err != nil {
			tb.Fatal(err)
		}
		fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: pt, DPI: float64(dpi), Hinting: font.HintingNone})
		if err != nil {
			tb.Fatal(err)
		}
		return fc
	}
	text := func(fc font.Face, c color.Color, x, y int, s string) {
		d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: fc, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	fill := func(r image.Rectangle, c color.Color) {
		draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
	}
	margin := px(0.9)

	// Logo: an orange disc with the initial, the firm's name beside it.
	cx, cy, rad := margin+px(0.35), px(0.9), px(0.35)
	for y := cy - rad; y <= cy+rad; y++ {
		for x := cx - rad; x <= cx+rad; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= rad*rad {
				img.Set(x, y, color.RGBA{0xe8, 0x6a, 0x10, 0xff})
			}
		}
	}
	text(face(gobold.TTF, 28), color.White, cx-px(0.14), cy+px(0.14), "A")
	text(face(gobold.TTF, 20), color.RGBA{0x1a, 0x3c, 0x90, 0xff}, margin+px(0.9), px(1.0), "Acme Office Supplies")
	fill(image.Rect(margin, px(1.45), w-margin, px(1.45)+px(0.02)), color.RGBA{0x1a, 0x3c, 0x90, 0xff})
	text(face(gobold.TTF, 16), color.RGBA{0x1a, 0x3c, 0x90, 0xff}, margin, px(2.0), "Quarterly Report")

	body := face(goregular.TTF, 11)
	y := px(2.5)
	for _, line := range officeText {
		text(body, color.RGBA{0x20, 0x20, 0x20, 0xff}, margin, y, line)
		y += px(0.2)
	}

	// The table: a tinted header row, ruled cells.
	y += px(0.3)
	colW, rowH := (w-2*margin)/len(officeTable[0]), px(0.32)
	fill(image.Rect(margin, y, w-margin, y+rowH), color.RGBA{0xc8, 0xdc, 0xf0, 0xff})
	rule := color.RGBA{0x30, 0x30, 0x30, 0xff}
	for r, row := range officeTable {
		top := y + r*rowH
		fill(image.Rect(margin, top, w-margin, top+px(0.01)), rule)
		for c, cell := range row {
			text(body, color.Black, margin+c*colW+px(0.1), top+rowH-px(0.1), cell)
		}
	}
	bottom := y + len(officeTable)*rowH
	fill(image.Rect(margin, bottom, w-margin, bottom+px(0.01)), rule)
	for c := 0; c <= len(officeTable[0]); c++ {
		x := margin + c*colW
		fill(image.Rect(x, y, x+px(0.01), bottom+px(0.01)), rule)
	}

	// The photo: a sky, hills and a sun, smooth with grain.
	y = bottom + px(0.5)
	photo := image.Rect(margin, y, margin+px(3.2), y+px(2.2))
	grain := rand.New(rand.NewPCG(13, 1))
	for py := photo.Min.Y; py < photo.Max.Y; py++ {
		for pxx := photo.Min.X; pxx < photo.Max.X; pxx++ {
			fx := float64(pxx-photo.Min.X) / float64(photo.Dx())
			fy := float64(py-photo.Min.Y) / float64(photo.Dy())
			hill := 0.6 + 0.1*math.Sin(fx*7)
			var r, g, b float64
			switch {
			case math.Hypot(fx-0.75, fy-0.25) < 0.1:
				r, g, b = 250, 220, 90
			case fy < hill:
				r, g, b = 90+100*fy, 140+80*fy, 230
			default:
				r, g, b = 60+40*fx, 120+50*(1-fy), 50
			}
			n := grain.Float64()*16 - 8
			img.Set(pxx, py, color.RGBA{clamp(r + n), clamp(g + n), clamp(b + n), 0xff})
		}
	}
	note := face(goregular.TTF, 11)
	text(note, color.RGBA{0xc0, 0x10, 0x10, 0xff}, photo.Max.X+px(0.3), y+px(0.3), "Note: prices include tax")
	text(note, color.RGBA{0x20, 0x20, 0x20, 0xff}, photo.Max.X+px(0.3), y+px(0.6), "Photo of the new depot")

	// Scanner noise on everything.
	noise := rand.New(rand.NewPCG(13, 2))
	hdr := scan.PageHeader{Width: w, Height: h, DPI: dpi, Mode: mode}
	var out bytes.Buffer
	out.Grow(mode.RowBytes(w) * h)
	for i := 0; i < len(img.Pix); i += 4 {
		n := noise.IntN(7) - 3
		r, g, b := clamp(float64(int(img.Pix[i])+n)), clamp(float64(int(img.Pix[i+1])+n)), clamp(float64(int(img.Pix[i+2])+n))
		if mode == scan.ModeGray8 {
			out.WriteByte(byte((77*int(r) + 150*int(g) + 29*int(b) + 128) >> 8))
		} else {
			out.Write([]byte{r, g, b})
		}
	}
	return hdr, out.Bytes()
}

func clamp(v float64) byte {
	return byte(min(255, max(0, math.Round(v))))
}
