package device

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// bookIndex is a snapshot of the address book for searching: never changed
// once built, so searches run without a lock while a change builds the
// next one. Building is cheap next to a change's fsync (5,000 entries).
type bookIndex struct {
	// entries are in the order searches answer in: favourites first,
	// then by name and address.
	entries []bookRecord
	byID    map[uint64]int // ID → position in entries
	byAddr  map[string]int // lower-case address → position in entries
	keys    []bookKey      // sorted by key
	groups  []string       // every group, sorted
}

// bookKey is a word that a search prefix can match, and the entry it is
// from.
type bookKey struct {
	key string
	pos int32
}

func newBookIndex(records []bookRecord) *bookIndex {
	// The lower-case forms are made once, not at every comparison.
	type sortable struct {
		name, addr string
		rec        bookRecord
	}
	sorted := make([]sortable, len(records))
	for i, r := range records {
		sorted[i] = sortable{strings.ToLower(r.Name), strings.ToLower(r.Address), r}
	}
	slices.SortFunc(sorted, func(a, b sortable) int {
		if a.rec.Favourite != b.rec.Favourite {
			if a.rec.Favourite {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.addr, b.addr), cmp.Compare(a.rec.ID, b.rec.ID))
	})
	entries := make([]bookRecord, len(sorted))
	for i, s := range sorted {
		entries[i] = s.rec
	}
	ix := &bookIndex{
		entries: entries,
		byID:    make(map[uint64]int, len(entries)),
		byAddr:  make(map[string]int, len(entries)),
		keys:    make([]bookKey, 0, 6*len(entries)),
	}
	groups := map[string]bool{}
	for i, e := range entries {
		ix.byID[e.ID] = i
		ix.byAddr[strings.ToLower(e.Address)] = i
		for _, k := range searchKeys(e) {
			ix.keys = append(ix.keys, bookKey{k, int32(i)})
		}
		for _, g := range e.Groups {
			groups[g] = true
		}
	}
	slices.SortFunc(ix.keys, func(a, b bookKey) int { return strings.Compare(a.key, b.key) })
	for g := range groups {
		ix.groups = append(ix.groups, g)
	}
	slices.Sort(ix.groups)
	return ix
}

// searchKeys are the words of an entry a prefix can match: each word of
// the name, whether split at spaces or at punctuation ("o'brien" and
// "brien"), the whole address and each of its parts ("bob.smith@contoso.example",
// "smith", "contoso").
func searchKeys(e bookRecord) []string {
	name, addr := strings.ToLower(e.Name), strings.ToLower(e.Address)
	keys := strings.Fields(name)
	keys = append(keys, strings.FieldsFunc(name, notAlnum)...)
	keys = append(keys, addr)
	keys = append(keys, strings.FieldsFunc(addr, notAlnum)...)
	slices.Sort(keys)
	return slices.Compact(keys)
}

func notAlnum(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// maxSearchWords bounds the words of one search.
const maxSearchWords = 8

// search finds the entries of which every word of q begins a word of the
// name or the address, ignoring case, and returns up to limit of them in
// the book's order, with the count of all that matched. An empty q
// matches every entry.
func (ix *bookIndex) search(q string, limit int) ([]bookRecord, int) {
	words := strings.Fields(strings.ToLower(q))
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	var hits []uint8 // per entry: how many of the words matched so far
	if len(words) > 0 {
		hits = make([]uint8, len(ix.entries))
		for n, w := range words {
			lo := sort.Search(len(ix.keys), func(i int) bool { return ix.keys[i].key >= w })
			for _, k := range ix.keys[lo:] {
				if !strings.HasPrefix(k.key, w) {
					break
				}
				// Counted once per word, however many of the
				// entry's keys it begins.
				if hits[k.pos] == uint8(n) {
					hits[k.pos]++
				}
			}
		}
	}
	var out []bookRecord
	matches := 0
	for i, e := range ix.entries {
		if hits != nil && int(hits[i]) != len(words) {
			continue
		}
		matches++
		if len(out) < limit {
			out = append(out, e)
		}
	}
	return out, matches
}

// group lists the entries in group g, ignoring case.
func (ix *bookIndex) group(g string) []bookRecord {
	var out []bookRecord
	for _, e := range ix.entries {
		if slices.ContainsFunc(e.Groups, func(h string) bool { return strings.EqualFold(g, h) }) {
			out = append(out, e)
		}
	}
	return out
}
