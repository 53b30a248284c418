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
	words   [][]string     // each entry's search keys, for the next index
	groups  []string       // every group, sorted
}

// bookKey is a word that a search prefix can match, and the entry it is
// from.
type bookKey struct {
	key string
	pos int32
}

// newBookIndex indexes records. prev, if not nil, is the index they were
// changed from: the search keys of the entries not changed are taken from
// it, already sorted, so that a change sorts only its own entries' keys.
func newBookIndex(records []bookRecord, prev *bookIndex) *bookIndex {
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
		words:   make([][]string, len(entries)),
	}
	groups := map[string]bool{}
	for i, e := range entries {
		ix.byID[e.ID] = i
		ix.byAddr[strings.ToLower(e.Address)] = i
		for _, g := range e.Groups {
			groups[g] = true
		}
	}
	ix.keys = ix.indexKeys(prev)
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

// indexKeys are the search keys of every entry, sorted: prev's keys of
// the entries it holds unchanged, merged with those of the others.
func (ix *bookIndex) indexKeys(prev *bookIndex) []bookKey {
	var moved []int32 // prev's position → ix's; -1 for an entry changed or gone
	var kept int
	if prev != nil {
		moved = make([]int32, len(prev.entries))
		for i := range moved {
			moved[i] = -1
		}
	}
	var fresh []bookKey
	for i, e := range ix.entries {
		if prev != nil {
			if p, ok := prev.byID[e.ID]; ok && prev.entries[p].same(e) {
				moved[p] = int32(i)
				ix.words[i] = prev.words[p]
				kept += len(ix.words[i])
				continue
			}
		}
		ix.words[i] = searchKeys(e)
		for _, k := range ix.words[i] {
			fresh = append(fresh, bookKey{k, int32(i)})
		}
	}
	slices.SortFunc(fresh, func(a, b bookKey) int { return strings.Compare(a.key, b.key) })
	if kept == 0 {
		return fresh
	}
	keys := make([]bookKey, 0, kept+len(fresh))
	for _, k := range prev.keys {
		p := moved[k.pos]
		if p < 0 {
			continue
		}
		for len(fresh) > 0 && fresh[0].key < k.key {
			keys = append(keys, fresh[0])
			fresh = fresh[1:]
		}
		keys = append(keys, bookKey{k.key, p})
	}
	return append(keys, fresh...)
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
