package tiff

import (
	"encoding/binary"
	"slices"
)

// Field types.
const (
	typeASCII    = 2
	typeShort    = 3
	typeLong     = 4
	typeRational = 5
)

// Tags, in the order a directory lists them.
const (
	tagNewSubfileType      = 254
	tagImageWidth          = 256
	tagImageLength         = 257
	tagBitsPerSample       = 258
	tagCompression         = 259
	tagPhotometric         = 262
	tagStripOffsets        = 273
	tagSamplesPerPixel     = 277
	tagRowsPerStrip        = 278
	tagStripByteCounts     = 279
	tagXResolution         = 282
	tagYResolution         = 283
	tagPlanarConfiguration = 284
	tagT6Options           = 293
	tagResolutionUnit      = 296
	tagPageNumber          = 297
	tagSoftware            = 305
	tagYCbCrSubSampling    = 530
	tagReferenceBlackWhite = 532
)

const software = "scanmail"

// field is one directory entry; values are SHORTs or LONGs, a RATIONAL
// being two LONGs and ASCII going in text.
type field struct {
	tag, typ uint16
	values   []uint32
	text     string
}

func short(tag uint16, v ...uint32) field    { return field{tag: tag, typ: typeShort, values: v} }
func long(tag uint16, v ...uint32) field     { return field{tag: tag, typ: typeLong, values: v} }
func rational(tag uint16, v ...uint32) field { return field{tag: tag, typ: typeRational, values: v} }

func (f field) count() int {
	switch f.typ {
	case typeASCII:
		return len(f.text) + 1
	case typeRational:
		return len(f.values) / 2
	}
	return len(f.values)
}

func (f field) bytes() []byte {
	var b []byte
	switch f.typ {
	case typeASCII:
		b = append([]byte(f.text), 0)
	case typeShort:
		for _, v := range f.values {
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		}
	default:
		for _, v := range f.values {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
	}
	return b
}

// fields lists the page's tags.
func fields(pg *pageWriter, stripAt uint32, index int) []field {
	p := pg.info
	fs := []field{
		long(tagNewSubfileType, 2), // a page of a multi-page document
		long(tagImageWidth, uint32(p.Width)),
		long(tagImageLength, uint32(p.Height)),
		long(tagStripOffsets, stripAt),
		long(tagRowsPerStrip, uint32(p.Height)), // one strip, as a JPEG stream must be
		long(tagStripByteCounts, uint32(pg.n)),
		rational(tagXResolution, uint32(p.DPI), 1),
		rational(tagYResolution, uint32(p.DPI), 1),
		short(tagPlanarConfiguration, 1),
		short(tagResolutionUnit, 2), // inch
		// Pages count from 0; the total, 0 for unknown, is set by Close.
		short(tagPageNumber, uint32(min(index, 0xffff)), 0),
		{tag: tagSoftware, typ: typeASCII, text: software},
	}
	switch p.Kind {
	case G4:
		fs = append(fs,
			short(tagBitsPerSample, 1),
			short(tagCompression, 4),
			short(tagPhotometric, 0), // WhiteIsZero, as CCITT codes decode
			short(tagSamplesPerPixel, 1),
			long(tagT6Options, 0))
	case JPEGGray:
		fs = append(fs,
			short(tagBitsPerSample, 8),
			short(tagCompression, 7),
			short(tagPhotometric, 1), // BlackIsZero
			short(tagSamplesPerPixel, 1))
	case JPEGRGB:
		x, y := p.subsampling()
		fs = append(fs,
			short(tagBitsPerSample, 8, 8, 8),
			short(tagCompression, 7),
			short(tagPhotometric, 6), // YCbCr
			short(tagSamplesPerPixel, 3),
			short(tagYCbCrSubSampling, uint32(x), uint32(y)),
			// JPEG's full-range YCbCr, chroma centred on 128.
			rational(tagReferenceBlackWhite, 0, 1, 255, 1, 128, 1, 255, 1, 128, 1, 255, 1))
	}
	slices.SortFunc(fs, func(a, b field) int { return int(a.tag) - int(b.tag) })
	return fs
}

// directory encodes the page's IFD to be written at offset at, right after
// the strip, with the values that do not fit an entry after it. It returns
// where in it the next-IFD offset and the PageNumber values are.
func directory(pg *pageWriter, at uint32, index int) (ifd []byte, nextAt, numAt int64) {
	fs := fields(pg, uint32(pg.offset), index)
	size := 2 + 12*len(fs) + 4
	ifd = binary.LittleEndian.AppendUint16(make([]byte, 0, size+128), uint16(len(fs)))
	var extra []byte
	for _, f := range fs {
		ifd = binary.LittleEndian.AppendUint16(ifd, f.tag)
		ifd = binary.LittleEndian.AppendUint16(ifd, f.typ)
		ifd = binary.LittleEndian.AppendUint32(ifd, uint32(f.count()))
		v := f.bytes()
		if f.tag == tagPageNumber {
			numAt = int64(len(ifd))
		}
		if len(v) <= 4 {
			ifd = append(ifd, v...)
			ifd = append(ifd, make([]byte, 4-len(v))...)
			continue
		}
		ifd = binary.LittleEndian.AppendUint32(ifd, at+uint32(size+len(extra)))
		extra = append(extra, v...)
		if len(extra)%2 != 0 {
			extra = append(extra, 0) // values start on word boundaries
		}
	}
	nextAt = int64(len(ifd))
	ifd = append(ifd, 0, 0, 0, 0)
	return append(ifd, extra...), nextAt, numAt
}
