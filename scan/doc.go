// Package scan turns a scan job into a PDF, one page at a time.
//
// The layers, from the hardware up:
//
//	scanner link   serial or SPI transport (later), or the in-process Simulator
//	     │
//	   Source      one job's stream of pages: NextPage until io.EOF
//	     │
//	    Page       PageHeader (size, resolution, pixel coding) and Data,
//	     │         the raster rows top to bottom, read once
//	     │
//	   encoder     PDFWriter: each page becomes a JPEG image (DCTDecode)
//	     │
//	 spool file    the io.Writer the caller owns
//
// Nothing holds a whole job in memory: a page's rows are produced lazily by
// the source, and the PDF writer writes every page out as soon as it is
// encoded, remembering only where each object starts.
package scan
