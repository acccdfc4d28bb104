package pii

import "testing"

func TestMask_ShowsOnlyTheEnds(t *testing.T) {
	cases := []struct {
		name string
		fn   func(string) string
		in   string
		want string
	}{
		{"id", MaskIDNumber, "33028119900307123X", "330281********123X"},
		{"id with spaces", MaskIDNumber, " 330281199003071234 ", "330281********1234"},
		{"id of the wrong length is masked whole", MaskIDNumber, "330281900307123", "***************"},
		{"empty id", MaskIDNumber, "", ""},
		{"phone", MaskPhone, "13812345678", "138****5678"},
		{"phone of the wrong length is masked whole", MaskPhone, "+8613812345678", "**************"},
		{"two-character name", MaskName, "张三", "张*"},
		{"three-character name", MaskName, "王小明", "王**"},
		{"compound surname keeps only its first character", MaskName, "欧阳娜娜", "欧***"},
		{"one-character name unchanged", MaskName, "张", "张"},
		{"minority name with middle dot", MaskName, "阿依古丽·买买提", "阿*******"},
		{"supplementary-plane character", MaskName, "𠮷野家", "𠮷**"},
		{"latin name", MaskName, "Anna", "A***"},
		{"name with spaces", MaskName, " 李四 ", "李*"},
		{"empty name", MaskName, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.fn(c.in); got != c.want {
				t.Fatalf("mask(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
