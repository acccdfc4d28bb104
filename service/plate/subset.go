package plate

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// A TrueType subset keeps only the glyphs a document uses, renumbered
// 0, 1, 2, … in the order given, so that a CIDFontType2 with
// /CIDToGIDMap /Identity can use the new glyph ids as its CIDs. The
// per-glyph tables (glyf, loca, hmtx) are rebuilt; the hinting tables
// (fpgm, prep, cvt) and the global ones (head, hhea, maxp, OS/2, name, post)
// are kept, patched where they count glyphs. Tables that a PDF viewer does
// not read for a CID-keyed TrueType font (GSUB, GPOS, vmtx, kern, …) are
// dropped, and cmap is emptied: a CIDFontType2 selects glyphs by id, never
// by character.

var errNotTrueType = errors.New("not a TrueType font with glyf outlines")

// sfntTables is a parsed table directory.
type sfntTables map[string][]byte

func parseTables(font []byte) (sfntTables, error) {
	if len(font) < 12 {
		return nil, errors.New("too short for a font")
	}
	switch v := binary.BigEndian.Uint32(font); v {
	case 0x00010000, 0x74727565: // 1.0, 'true'
	case 0x74746366: // 'ttcf'
		return nil, errors.New("a TrueType collection (.ttc); pass a single .ttf")
	case 0x4f54544f: // 'OTTO'
		return nil, errors.New("a CFF-flavoured OpenType font; pass a TrueType (.ttf) font")
	default:
		return nil, fmt.Errorf("unknown sfnt version %#08x", v)
	}
	n := int(binary.BigEndian.Uint16(font[4:]))
	if len(font) < 12+16*n {
		return nil, errors.New("truncated table directory")
	}
	t := make(sfntTables, n)
	for i := 0; i < n; i++ {
		rec := font[12+16*i:]
		tag := string(rec[:4])
		off := uint64(binary.BigEndian.Uint32(rec[8:]))
		length := uint64(binary.BigEndian.Uint32(rec[12:]))
		if off+length > uint64(len(font)) {
			return nil, fmt.Errorf("table %q lies outside the file", tag)
		}
		t[tag] = font[off : off+length]
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf"} {
		if t[tag] == nil {
			return nil, fmt.Errorf("%w: no %q table", errNotTrueType, tag)
		}
	}
	if len(t["head"]) < 54 || len(t["hhea"]) < 36 || len(t["maxp"]) < 6 {
		return nil, errors.New("truncated head, hhea or maxp table")
	}
	return t, nil
}

func (t sfntTables) numGlyphs() int { return int(binary.BigEndian.Uint16(t["maxp"][4:])) }

// glyph returns the outline data of glyph gid.
func (t sfntTables) glyph(gid int) ([]byte, error) {
	if gid >= t.numGlyphs() {
		return nil, fmt.Errorf("glyph %d out of range", gid)
	}
	loca := t["loca"]
	var start, end uint64
	if binary.BigEndian.Uint16(t["head"][50:]) == 0 { // short offsets, in words
		if len(loca) < 2*gid+4 {
			return nil, errors.New("truncated loca table")
		}
		start = 2 * uint64(binary.BigEndian.Uint16(loca[2*gid:]))
		end = 2 * uint64(binary.BigEndian.Uint16(loca[2*gid+2:]))
	} else {
		if len(loca) < 4*gid+8 {
			return nil, errors.New("truncated loca table")
		}
		start = uint64(binary.BigEndian.Uint32(loca[4*gid:]))
		end = uint64(binary.BigEndian.Uint32(loca[4*gid+4:]))
	}
	if start > end || end > uint64(len(t["glyf"])) {
		return nil, fmt.Errorf("glyph %d has a bad loca entry", gid)
	}
	return t["glyf"][start:end], nil
}

// metric returns the advance width and left side bearing of glyph gid.
func (t sfntTables) metric(gid int) (adv, lsb uint16, err error) {
	hmtx := t["hmtx"]
	nhm := int(binary.BigEndian.Uint16(t["hhea"][34:]))
	if nhm == 0 || len(hmtx) < 4*nhm {
		return 0, 0, errors.New("bad hmtx table")
	}
	if gid < nhm {
		return binary.BigEndian.Uint16(hmtx[4*gid:]), binary.BigEndian.Uint16(hmtx[4*gid+2:]), nil
	}
	adv = binary.BigEndian.Uint16(hmtx[4*(nhm-1):])
	i := 4*nhm + 2*(gid-nhm)
	if len(hmtx) >= i+2 {
		lsb = binary.BigEndian.Uint16(hmtx[i:])
	}
	return adv, lsb, nil
}

// Composite glyph flags (OpenType spec, glyf table).
const (
	argsAreWords   = 0x0001
	haveScale      = 0x0008
	moreComponents = 0x0020
	haveXYScale    = 0x0040
	haveTwoByTwo   = 0x0080
)

// components calls fn with the byte offset (within g) of each component's
// glyph index, if g is a composite glyph.
func components(g []byte, fn func(at int)) error {
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil
	}
	p := 10
	for {
		if len(g) < p+4 {
			return errors.New("truncated composite glyph")
		}
		flags := binary.BigEndian.Uint16(g[p:])
		fn(p + 2)
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&haveTwoByTwo != 0:
			p += 8
		}
		if flags&moreComponents == 0 {
			return nil
		}
	}
}

// subsetFont builds a TrueType font whose glyph i is glyph olds[i] of font.
// olds[0] should be 0 (.notdef). Components of composite glyphs are appended
// after olds and renumbered.
func subsetFont(font []byte, olds []int) ([]byte, error) {
	t, err := parseTables(font)
	if err != nil {
		return nil, err
	}
	// Close over composite components; the list grows while we walk it.
	list := append([]int(nil), olds...)
	newID := make(map[int]int, len(list))
	for i, old := range list {
		if _, ok := newID[old]; !ok {
			newID[old] = i
		}
	}
	for i := 0; i < len(list); i++ {
		g, err := t.glyph(list[i])
		if err != nil {
			return nil, err
		}
		var cerr error
		err = components(g, func(at int) {
			old := int(binary.BigEndian.Uint16(g[at:]))
			if old >= t.numGlyphs() {
				cerr = fmt.Errorf("glyph %d names missing component %d", list[i], old)
				return
			}
			if _, ok := newID[old]; !ok {
				newID[old] = len(list)
				list = append(list, old)
			}
		})
		if err != nil {
			return nil, err
		}
		if cerr != nil {
			return nil, cerr
		}
	}
	if len(list) > 0xFFFF {
		return nil, errors.New("too many glyphs for one font")
	}

	var glyf []byte
	loca := make([]byte, 4*(len(list)+1))
	hmtx := make([]byte, 0, 4*len(list))
	for i, old := range list {
		binary.BigEndian.PutUint32(loca[4*i:], uint32(len(glyf)))
		g, _ := t.glyph(old)
		start := len(glyf)
		glyf = append(glyf, g...)
		components(glyf[start:], func(at int) {
			c := int(binary.BigEndian.Uint16(glyf[start+at:]))
			binary.BigEndian.PutUint16(glyf[start+at:], uint16(newID[c]))
		})
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		adv, lsb, err := t.metric(old)
		if err != nil {
			return nil, err
		}
		hmtx = binary.BigEndian.AppendUint16(hmtx, adv)
		hmtx = binary.BigEndian.AppendUint16(hmtx, lsb)
	}
	binary.BigEndian.PutUint32(loca[4*len(list):], uint32(len(glyf)))

	head := append([]byte(nil), t["head"]...)
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, set below
	binary.BigEndian.PutUint16(head[50:], 1) // long loca offsets
	hhea := append([]byte(nil), t["hhea"]...)
	binary.BigEndian.PutUint16(hhea[34:], uint16(len(list)))
	maxp := append([]byte(nil), t["maxp"]...)
	binary.BigEndian.PutUint16(maxp[4:], uint16(len(list)))

	out := sfntTables{
		"head": head, "hhea": hhea, "maxp": maxp,
		"glyf": glyf, "loca": loca, "hmtx": hmtx,
	}
	for _, tag := range []string{"cvt ", "fpgm", "prep", "gasp", "OS/2", "name"} {
		if t[tag] != nil {
			out[tag] = t[tag]
		}
	}
	out["cmap"] = emptyCmap
	if post := t["post"]; len(post) >= 32 {
		// Version 3 has no glyph names, which would otherwise be renumbered.
		p := append([]byte(nil), post[:32]...)
		binary.BigEndian.PutUint32(p, 0x00030000)
		out["post"] = p
	}
	return out.encode(), nil
}

// emptyCmap maps no character: a CIDFontType2 does not use the font's
// cmap, but font parsers (FreeType, x/image/font/sfnt) want one to exist.
// One Windows Unicode (3, 1) format 4 subtable holding only the final
// 0xFFFF segment.
var emptyCmap = []byte{
	0, 0, 0, 1, // version, numTables
	0, 3, 0, 1, 0, 0, 0, 12, // platform 3, encoding 1, offset 12
	0, 4, 0, 24, 0, 0, // format 4, length, language
	0, 2, 0, 2, 0, 0, 0, 0, // segCountX2, searchRange, entrySelector, rangeShift
	0xFF, 0xFF, 0, 0, // endCode, reservedPad
	0xFF, 0xFF, 0, 1, 0, 0, // startCode, idDelta, idRangeOffset
}

// encode writes the tables as one font file, with the checksums that the
// OpenType spec asks for.
func (t sfntTables) encode() []byte {
	tags := make([]string, 0, len(t))
	for tag := range t {
		tags = append(tags, tag)
	}
	sort.Strings(tags)
	n := len(tags)
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := 16 << entrySelector

	size := 12 + 16*n
	for _, tag := range tags {
		size += (len(t[tag]) + 3) &^ 3
	}
	out := make([]byte, 12+16*n, size)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(searchRange))
	binary.BigEndian.PutUint16(out[8:], uint16(entrySelector))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-searchRange))
	headAt := 0
	for i, tag := range tags {
		data := t[tag]
		rec := out[12+16*i:]
		copy(rec, tag)
		binary.BigEndian.PutUint32(rec[4:], checksum(data))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(data)))
		if tag == "head" {
			headAt = len(out)
		}
		out = append(out, data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	return out
}

func checksum(b []byte) uint32 {
	var sum uint32
	for len(b) >= 4 {
		sum += binary.BigEndian.Uint32(b)
		b = b[4:]
	}
	if len(b) > 0 {
		var last [4]byte
		copy(last[:], b)
		sum += binary.BigEndian.Uint32(last[:])
	}
	return sum
}
