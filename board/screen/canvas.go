package screen

import (
	"image"
	"image/color"
)

// Pixel values: the image is what a panel lights, as board.Bitmap takes it.
const (
	lit  = 0xFF
	dark = 0x00
)

// canvas draws on a Gray image; every operation clips to the image, so no
// layout mistake can write outside it.
type canvas struct{ img *image.Gray }

func (c canvas) fill(r image.Rectangle, v uint8) {
	r = r.Intersect(c.img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c.img.SetGray(x, y, color.Gray{Y: v})
		}
	}
}

// frame draws the one-pixel outline of r.
func (c canvas) frame(r image.Rectangle, v uint8) {
	if r.Empty() {
		return
	}
	c.fill(image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+1), v)
	c.fill(image.Rect(r.Min.X, r.Max.Y-1, r.Max.X, r.Max.Y), v)
	c.fill(image.Rect(r.Min.X, r.Min.Y, r.Min.X+1, r.Max.Y), v)
	c.fill(image.Rect(r.Max.X-1, r.Min.Y, r.Max.X, r.Max.Y), v)
}

// text draws s with its first cell's top left at (x, y), each font pixel
// sx wide and sy tall, in v; the background is left as it is. Pixels
// outside clip are not drawn.
func (c canvas) text(x, y int, s []rune, sx, sy int, v uint8, clip image.Rectangle) {
	clip = clip.Intersect(c.img.Rect)
	for i, r := range s {
		g := font[r]
		for row := range cellH {
			for col := range cellW - 1 {
				if g[row]&(0x10>>col) == 0 {
					continue
				}
				px := x + (i*cellW+col)*sx
				py := y + row*sy
				c.fill(image.Rect(px, py, px+sx, py+sy).Intersect(clip), v)
			}
		}
	}
}
