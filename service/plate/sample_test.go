package plate

import (
	"os"
	"testing"
)

// YAOJU_PLATE_SAMPLE=/tmp/plates-sample.pdf go test ./service/plate/ -run Sample
// writes ten plates for a look by eye (pdftoppm -png -r 60 …).
func TestRender_WritesSampleWhenAsked(t *testing.T) {
	path := os.Getenv("YAOJU_PLATE_SAMPLE")
	if path == "" {
		t.Skip("set YAOJU_PLATE_SAMPLE to a path to write a sample PDF")
	}
	ps := samplePlates(t, 10)
	ps[3].Address = "浙江省宁波市余姚市阳明街道某某路某某小区东门进去左转第三幢楼后面的自建房三楼靠北边那间带独立卫生间的单间（原编号A-17）"
	ps[5].LandlordName = "欧阳·买买提·艾力江·阿不都热依木"
	if err := os.WriteFile(path, render(t, ps), 0o644); err != nil {
		t.Fatal(err)
	}
}
