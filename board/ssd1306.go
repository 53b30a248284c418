package board

import (
	"fmt"
	"image"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/devices/v3/ssd1306"
)

// SSD1306 is a 128×64 monochrome OLED.
//
// periph sets horizontal addressing mode (20h 00h) yet sends each changed
// part of a frame after page-mode addresses (B0h+page, 00h/10h column),
// which the datasheet says only page addressing mode obeys. The first,
// whole frame lands right either way (the address wraps page to page);
// later partial frames rely on the controller obeying them, as common
// modules do. Watch for this on a new module: misplaced updates after the
// first frame.
type SSD1306 struct {
	dev *ssd1306.Dev
}

var _ Bitmap = (*SSD1306)(nil)

// ssd1306Opts is the panel's geometry; rotated turns it by 180°, for a panel
// fitted upside down.
func ssd1306Opts(rotated bool) *ssd1306.Opts {
	return &ssd1306.Opts{W: 128, H: 64, Rotated: rotated}
}

// NewSSD1306I2C initialises an SSD1306 at addr (0x3C or 0x3D) on bus.
func NewSSD1306I2C(bus i2c.Bus, addr uint16, rotated bool) (*SSD1306, error) {
	// periph's NewI2C always talks to 0x3C; the bus wrapper moves it to addr.
	dev, err := ssd1306.NewI2C(&addrBus{Bus: bus, addr: addr}, ssd1306Opts(rotated))
	if err != nil {
		return nil, fmt.Errorf("board: no SSD1306 display at I²C address %#x on %s: %w", addr, bus, err)
	}
	return &SSD1306{dev: dev}, nil
}

// NewSSD1306SPI initialises an SSD1306 in 4-wire SPI mode, dc being its
// data/command line.
func NewSSD1306SPI(port spi.Port, dc gpio.PinOut, rotated bool) (*SSD1306, error) {
	if dc == nil {
		// periph does not implement 3-wire mode; say so before it is tried.
		return nil, fmt.Errorf("board: SSD1306 on SPI needs its D/C line")
	}
	dev, err := ssd1306.NewSPI(port, dc, ssd1306Opts(rotated))
	if err != nil {
		return nil, fmt.Errorf("board: no SSD1306 display on %s: %w", port, err)
	}
	return &SSD1306{dev: dev}, nil
}

func (d *SSD1306) Bounds() image.Rectangle { return d.dev.Bounds() }

func (d *SSD1306) Draw(img image.Image) error {
	if err := d.dev.Draw(d.dev.Bounds(), img, img.Bounds().Min); err != nil {
		return fmt.Errorf("board: SSD1306: %w", err)
	}
	return nil
}

func (d *SSD1306) Halt() error { return d.dev.Halt() }

// addrBus sends every transfer to addr, whatever address the driver asks.
type addrBus struct {
	i2c.Bus
	addr uint16
}

func (b *addrBus) Tx(_ uint16, w, r []byte) error { return b.Bus.Tx(b.addr, w, r) }
