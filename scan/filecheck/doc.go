// Package filecheck has independent programs read the files scanmail
// writes, for the tests of every package that writes or sends them:
// PDFs (pdfcpu, qpdf, poppler's pdfinfo and pdftoppm, and a strict reading
// of the cross-reference table, which the others forgive), TIFFs (libtiff's
// tiffinfo and tiffcp) and JPEGs (Go's decoder and libjpeg-turbo's djpeg).
// The programs come from Debian's qpdf, poppler-utils, libtiff-tools and
// libjpeg-turbo-progs (make deps installs them); a missing one fails the
// test rather than skipping it.
package filecheck
