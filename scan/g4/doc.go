// Package g4 encodes bilevel images with ITU-T T.6 two-dimensional coding
// (CCITT Group 4), row by row, for scanned pages.
//
// The input is scan.ModeBW1 raster: rows of (width+7)/8 bytes, most
// significant bit first, 1 black, pad bits ignored. The output is a bare
// T.6 stream: no EOL before rows, rows not byte-aligned, ended by EOFB (two
// EOL codes) and zero bits up to a byte. T.6 codes runs as white or black,
// not as bit values, so the same stream serves both containers:
//
//   - TIFF: Compression 4, PhotometricInterpretation 0 (WhiteIsZero),
//     FillOrder 1, T6Options 0. libtiff decodes it, and its own Group 4
//     encoder writes the very same bytes.
//   - PDF: an image with /ColorSpace /DeviceGray /BitsPerComponent 1
//     /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns width /Rows
//     height >>; EncodedByteAlign false and EndOfBlock true are the
//     defaults. BlackIs1 only chooses the decoded sample values: left at
//     false, black decodes to 0, which DeviceGray shows black. With
//     /BlackIs1 true black decodes to 1, so the image then needs /Decode
//     [1 0], or the page shows inverted. libtiff's tiff2pdf writes no
//     BlackIs1 for such a TIFF, and the package tests render all three
//     forms with poppler.
//
// The encoder works on changing elements, found 64 pixels at a time, and
// keeps only the previous row's; a typical A4 page at 300 dpi codes in a
// few milliseconds.
package g4
