// Package jfif reads the header of a JPEG stream (JFIF or not) without
// decoding it, so that a page the scanner's hardware codec compressed can be
// wrapped in a PDF or TIFF as is. ReadHeader consumes the markers up to and
// including the frame header (SOF) and hands back the bytes it read; the
// caller writes those out and copies the rest of the stream after them, so
// the image is never re-encoded.
package jfif

import (
	"errors"
	"fmt"
	"io"
)

// ErrFormat is wrapped by the errors for data that is not a well-formed
// JPEG stream.
var ErrFormat = errors.New("jfif: not a valid JPEG stream")

// ErrUnsupported is wrapped by the errors for well-formed JPEG streams that
// PDF and TIFF readers cannot be relied on to show: CMYK, 12-bit, lossless,
// hierarchical or arithmetic-coded.
var ErrUnsupported = errors.New("jfif: unsupported JPEG")

// DensityUnit is the unit of the JFIF APP0 segment's pixel density.
type DensityUnit uint8

const (
	// DensityAspect means the densities give only the pixel aspect ratio;
	// it is also the value when the stream has no JFIF segment.
	DensityAspect  DensityUnit = 0
	DensityPerInch DensityUnit = 1
	DensityPerCm   DensityUnit = 2
)

// Header is what a JPEG stream says about its image before the first scan.
type Header struct {
	Width, Height int
	// Components is 1 (gray) or 3 (colour); other counts are refused.
	Components int
	// Progressive is set for SOF2 streams. They are valid in PDF, but some
	// TIFF readers only take sequential ones.
	Progressive bool
	// YCbCr is set when the three components are luma and chroma, as in
	// every JFIF file, rather than plain RGB (an Adobe APP14 segment with
	// transform 0, or components named 'R', 'G', 'B'): the rules libjpeg
	// follows. A PDF of an RGB stream needs /ColorTransform 0.
	YCbCr bool
	// Sampling holds each component's horizontal and vertical sampling
	// factors (1 to 4), in frame order; unused entries are zero.
	Sampling [3][2]int
	// From the JFIF APP0 segment; all zero without one.
	DensityUnit        DensityUnit
	XDensity, YDensity int
}

// DPI returns the resolution from the JFIF segment in dots per inch,
// rounded, and false when the stream does not give one.
func (h Header) DPI() (x, y int, ok bool) {
	switch {
	case h.XDensity == 0 || h.YDensity == 0:
		return 0, 0, false
	case h.DensityUnit == DensityPerInch:
		return h.XDensity, h.YDensity, true
	case h.DensityUnit == DensityPerCm:
		return (h.XDensity*254 + 50) / 100, (h.YDensity*254 + 50) / 100, true
	}
	return 0, 0, false
}

// Subsampling returns how many luma samples share one chroma sample
// horizontally and vertically (TIFF's YCbCrSubSampling: 2, 2 for 4:2:0),
// and false when the stream has no such simple layout: not YCbCr, chroma
// factors other than 1, or a ratio TIFF cannot express.
func (h Header) Subsampling() (x, y int, ok bool) {
	if h.Components != 3 || !h.YCbCr {
		return 0, 0, false
	}
	s := h.Sampling
	if s[1] != [2]int{1, 1} || s[2] != [2]int{1, 1} {
		return 0, 0, false
	}
	x, y = s[0][0], s[0][1]
	valid := func(v int) bool { return v == 1 || v == 2 || v == 4 }
	if !valid(x) || !valid(y) || y > x {
		return 0, 0, false
	}
	return x, y, true
}

// maxHeader bounds how much ReadHeader reads looking for the frame header:
// a hardware codec's header is a few hundred bytes, and garbage must not
// make us buffer without end.
const maxHeader = 1 << 20

// Marker codes (the byte after 0xFF).
const (
	mSOF0 = 0xc0 // baseline
	mSOF1 = 0xc1 // extended sequential, Huffman
	mSOF2 = 0xc2 // progressive, Huffman
	mDHT  = 0xc4
	mJPG  = 0xc8
	mDAC  = 0xcc
	mRST0 = 0xd0
	mRST7 = 0xd7
	mSOI  = 0xd8
	mEOI  = 0xd9
	mSOS  = 0xda
	mAPP0 = 0xe0
	mAPPE = 0xee
	mTEM  = 0x01
)

// ReadHeader reads r from the start of a JPEG stream up to and including
// its frame header (SOF0, SOF1 or SOF2) and returns the header with the
// bytes read, which are exactly the stream's first len(consumed) bytes. It
// reads nothing past the frame header, so r is left at the next marker.
func ReadHeader(r io.Reader) (Header, []byte, error) {
	p := parser{r: r}
	h, err := p.header()
	if err != nil {
		return Header{}, nil, err
	}
	return h, p.buf, nil
}

type parser struct {
	r   io.Reader
	buf []byte // everything read so far
}

// read appends the next n bytes of the stream to buf and returns them.
func (p *parser) read(n int) ([]byte, error) {
	if len(p.buf)+n > maxHeader {
		return nil, fmt.Errorf("%w: no frame header in the first %d bytes", ErrFormat, maxHeader)
	}
	start := len(p.buf)
	p.buf = append(p.buf, make([]byte, n)...)
	if _, err := io.ReadFull(p.r, p.buf[start:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("%w: stream ends at byte %d, before the frame header", ErrFormat, len(p.buf[:start]))
		}
		return nil, fmt.Errorf("jfif: reading the JPEG header: %w", err)
	}
	return p.buf[start:], nil
}

func (p *parser) header() (Header, error) {
	b, err := p.read(2)
	if err != nil {
		return Header{}, err
	}
	if b[0] != 0xff || b[1] != mSOI {
		return Header{}, fmt.Errorf("%w: starts with %#02x %#02x, not the SOI marker", ErrFormat, b[0], b[1])
	}
	var h Header
	var sawJFIF, sawAdobe bool
	adobeTransform := 0
	for {
		m, err := p.marker()
		if err != nil {
			return Header{}, err
		}
		switch {
		case m == mSOI || m == mEOI || m == mSOS || m == mTEM || (m >= mRST0 && m <= mRST7):
			return Header{}, fmt.Errorf("%w: marker %#02x before the frame header", ErrFormat, m)
		}
		b, err := p.read(2)
		if err != nil {
			return Header{}, err
		}
		n := int(b[0])<<8 | int(b[1])
		if n < 2 {
			return Header{}, fmt.Errorf("%w: segment %#02x has length %d", ErrFormat, m, n)
		}
		seg, err := p.read(n - 2)
		if err != nil {
			return Header{}, err
		}
		switch {
		case m == mSOF0 || m == mSOF1 || m == mSOF2:
			if err := h.frame(seg, m); err != nil {
				return Header{}, err
			}
			if h.Components == 3 {
				h.YCbCr = colourTransformed(sawJFIF, sawAdobe, adobeTransform, seg)
			}
			return h, nil
		case m >= mSOF0 && m <= 0xcf && m != mDHT && m != mJPG && m != mDAC:
			return Header{}, fmt.Errorf("%w: frame type SOF%d (only baseline, extended and progressive Huffman JPEG)", ErrUnsupported, m-mSOF0)
		case m == mAPP0 && len(seg) >= 12 && string(seg[:5]) == "JFIF\x00":
			sawJFIF = true
			h.DensityUnit = DensityUnit(seg[7])
			h.XDensity = int(seg[8])<<8 | int(seg[9])
			h.YDensity = int(seg[10])<<8 | int(seg[11])
		case m == mAPPE && len(seg) >= 12 && string(seg[:5]) == "Adobe":
			sawAdobe = true
			adobeTransform = int(seg[11])
		}
		// Other segments (tables, comments, EXIF, ICC profiles) are kept
		// in the bytes passed on and need nothing from us.
	}
}

// marker reads the next marker, skipping the fill bytes (0xFF) that may
// precede it, and returns its code.
func (p *parser) marker() (byte, error) {
	b, err := p.read(2)
	if err != nil {
		return 0, err
	}
	if b[0] != 0xff {
		return 0, fmt.Errorf("%w: byte %#02x at offset %d where a marker should start", ErrFormat, b[0], len(p.buf)-2)
	}
	m := b[1]
	for m == 0xff {
		b, err := p.read(1)
		if err != nil {
			return 0, err
		}
		m = b[0]
	}
	if m == 0 {
		return 0, fmt.Errorf("%w: stuffed zero byte at offset %d outside entropy-coded data", ErrFormat, len(p.buf)-1)
	}
	return m, nil
}

// frame parses a SOF segment (without its length field).
func (h *Header) frame(seg []byte, m byte) error {
	if len(seg) < 6 {
		return fmt.Errorf("%w: frame header of %d bytes", ErrFormat, len(seg))
	}
	if seg[0] != 8 {
		return fmt.Errorf("%w: %d bits a sample (only 8)", ErrUnsupported, seg[0])
	}
	h.Height = int(seg[1])<<8 | int(seg[2])
	h.Width = int(seg[3])<<8 | int(seg[4])
	h.Components = int(seg[5])
	h.Progressive = m == mSOF2
	if h.Width == 0 {
		return fmt.Errorf("%w: image width 0", ErrFormat)
	}
	if h.Height == 0 {
		// The height would come in a DNL marker after the first scan,
		// which the writers cannot wait for.
		return fmt.Errorf("%w: image height given after the scan (DNL)", ErrUnsupported)
	}
	switch h.Components {
	case 1, 3:
	case 4:
		return fmt.Errorf("%w: 4 components (CMYK); only gray or YCbCr colour can be passed on", ErrUnsupported)
	case 0:
		return fmt.Errorf("%w: frame with no components", ErrFormat)
	default:
		return fmt.Errorf("%w: %d components; only gray or YCbCr colour can be passed on", ErrUnsupported, h.Components)
	}
	if len(seg) < 6+3*h.Components {
		return fmt.Errorf("%w: frame header of %d bytes for %d components", ErrFormat, len(seg), h.Components)
	}
	for i := range h.Components {
		c := seg[6+3*i:]
		hs, vs := int(c[1]>>4), int(c[1]&0x0f)
		if hs < 1 || hs > 4 || vs < 1 || vs > 4 {
			return fmt.Errorf("%w: component %d has sampling factors %dx%d", ErrFormat, i+1, hs, vs)
		}
		h.Sampling[i] = [2]int{hs, vs}
	}
	return nil
}

// colourTransformed tells whether three components are YCbCr, as libjpeg
// decides it: JFIF says so, then Adobe's transform flag, then the
// component identifiers 'R', 'G', 'B' for RGB, else YCbCr.
func colourTransformed(sawJFIF, sawAdobe bool, adobeTransform int, sof []byte) bool {
	switch {
	case sawJFIF:
		return true
	case sawAdobe:
		return adobeTransform != 0
	}
	return !(sof[6] == 'R' && sof[9] == 'G' && sof[12] == 'B')
}
