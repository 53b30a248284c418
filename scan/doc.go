// Package scan turns a scan job into a document (PDF, TIFF or JPEG files),
// one page at a time.
//
// The layers, from the hardware up:
//
//	transport      serial (scan/serial) or SPI (scan/spilink): a byte stream
//	     │
//	scanner link   frames, acknowledgements, retransmission (scan/link);
//	     │         or the in-process scansim.Scanner
//	     │
//	   Source      one job's stream of pages: NextPage until io.EOF
//	     │
//	    Page       PageHeader (size, resolution, pixel coding) and Data,
//	     │         the raster rows top to bottom, read once
//	     │
//	   encoder     bilevel: CCITT Group 4 (scan/g4); gray and colour: JPEG
//	     │         (scan/jpegenc), strip by strip on all cores; the
//	     │         engine's JPEG passes through (scan/jfif reads its header)
//	     │         compact PDF: scan/mrc splits gray and colour pages into
//	     │         a Group 4 text mask, a JPEG background at a third of the
//	     │         resolution and the text's colours
//	     │
//	  document     PDFWriter, or a multi-page TIFF (scan/tiff), or a JPEG
//	     │         file a page: Document picks by Format
//	     │
//	 spool file    the io.Writer the caller owns
//
// Nothing holds a whole job, or a whole page of raster, in memory: rows
// arrive from the source a band at a time, the encoders work on bands, and
// every page is written out as soon as it is encoded.
package scan
