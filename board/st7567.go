package board

import (
	"fmt"
	"image"
	"image/draw"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/devices/v3/ssd1306/image1bit"
	"periph.io/x/devices/v3/st7567"
)

// ST7567 is a 128×64 monochrome SPI LCD.
type ST7567 struct {
	dev    *st7567.Dev
	frame  *image1bit.VerticalLSB
	asleep bool
}

var _ Bitmap = (*ST7567)(nil)

// NewST7567 resets the controller through rst (nil if the board ties it to
// power-on reset) and initialises it with contrast 0–63. dc is the
// command/data line.
func NewST7567(port spi.Port, dc, rst gpio.PinOut, contrast byte) (*ST7567, error) {
	if dc == nil {
		return nil, fmt.Errorf("board: ST7567 needs its D/C line")
	}
	if contrast > 63 {
		return nil, fmt.Errorf("board: ST7567 contrast %d is above 63", contrast)
	}
	if rst != nil {
		// The datasheet asks for a reset after power-on; periph's New does
		// not give one. A millisecond each way is far above its minimums.
		for _, l := range []gpio.Level{gpio.Low, gpio.High} {
			if err := rst.Out(l); err != nil {
				return nil, fmt.Errorf("board: ST7567 reset: %w", err)
			}
			time.Sleep(time.Millisecond)
		}
	}
	dev, err := st7567.New(port, dc, rst, nil, &st7567.Opts{
		// The values of periph's example, which match common 128×64 modules.
		Bias:             st7567.Bias17,
		SegmentDirection: st7567.SegmentDirNormal,
		CommonDirection:  st7567.CommonDirReverse,
		Display:          st7567.DisplayNormal,
		RegulationRatio:  st7567.RegulationRatio{st7567.RegResistorRR0, st7567.RegResistorRR1},
		Contrast:         contrast,
	})
	if err != nil {
		return nil, fmt.Errorf("board: no ST7567 display on %s: %w", port, err)
	}
	return &ST7567{dev: dev, frame: image1bit.NewVerticalLSB(image.Rect(0, 0, st7567.Width, st7567.Height))}, nil
}

func (d *ST7567) Bounds() image.Rectangle { return d.frame.Rect }

func (d *ST7567) Draw(img image.Image) error {
	if d.asleep {
		if err := d.dev.WakeUp(); err != nil {
			return fmt.Errorf("board: ST7567: %w", err)
		}
		d.asleep = false
	}
	draw.Src.Draw(d.frame, d.frame.Rect, img, img.Bounds().Min)
	for y := range st7567.Height {
		for x := range st7567.Width {
			d.dev.SetPixel(x, y, bool(d.frame.BitAt(x, y)))
		}
	}
	if err := d.dev.Update(); err != nil {
		return fmt.Errorf("board: ST7567: %w", err)
	}
	return nil
}

// Halt puts the controller to sleep (display off, all points on, as the
// datasheet's power save); the next Draw wakes it. periph's own Halt pulses
// reset instead, which needs the reset line and a new initialisation.
func (d *ST7567) Halt() error {
	if err := d.dev.PowerSave(); err != nil {
		return fmt.Errorf("board: ST7567: %w", err)
	}
	d.asleep = true
	return nil
}
