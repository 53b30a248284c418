// Package mrc splits a scanned gray or colour page into the layers of a
// mixed raster content document: a full-resolution 1-bit mask of text and
// line art, a background (paper, photos, tints) at a reduced resolution
// with the text taken out, and a foreground of the text's colour, one
// colour per cell of the page.
//
// The page goes through a Splitter a band of Cell rows at a time, so the
// memory it takes depends on the page's width only. The split depends on
// the pixels alone: the same page always gives the same layers.
package mrc
