package scan

import "fmt"

// Format is the file format a scanned document is mailed in.
type Format int

const (
	// FormatPDF is one PDF with a page per scanned page (the default).
	FormatPDF Format = iota + 1
	// FormatTIFF is one multi-page TIFF.
	FormatTIFF
	// FormatJPEG is one JPEG file a page.
	FormatJPEG
	// FormatPDFCompact is a PDF whose gray and colour pages are mixed
	// raster content: text as a sharp 1-bit mask, the rest at a third of
	// the resolution.
	FormatPDFCompact
)

var formatNames = map[Format]string{FormatPDF: "pdf", FormatTIFF: "tiff", FormatJPEG: "jpeg", FormatPDFCompact: "pdf-compact"}

func (f Format) String() string {
	if s, ok := formatNames[f]; ok {
		return s
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat reads a format by its name ("pdf", "tiff", "jpeg").
func ParseFormat(s string) (Format, error) {
	for f, name := range formatNames {
		if name == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("%w: format %q (known: pdf, pdf-compact, tiff, jpeg)", ErrUnsupported, s)
}

// Ext is the file name extension of the format, without the dot.
func (f Format) Ext() string {
	switch f {
	case FormatTIFF:
		return "tif"
	case FormatPDFCompact:
		return "pdf"
	}
	return formatNames[f]
}

// ContentType is the format's MIME type.
func (f Format) ContentType() string {
	switch f {
	case FormatTIFF:
		return "image/tiff"
	case FormatJPEG:
		return "image/jpeg"
	}
	return "application/pdf"
}

// Validate checks the options a scanner is asked for, with the defaults
// filled in for zero fields.
func (o Options) Validate() error {
	_, err := o.WithDefaults()
	return err
}
