package main

import (
	"fmt"
	"time"

	"yaoju/service/pii"
)

// Region codes (GB/T 2260) the generated ID numbers use: 余姚 and the
// provinces most migrant workers in Ningbo come from.
var idRegions = []string{"330281", "341204", "411502", "522127", "513029", "362426", "430524", "452128"}

// idNumber is the i-th of about 87 million distinct valid 18-digit ID
// numbers (GB 11643-1999, check character by ISO 7064 MOD 11-2): the
// sequence number, the birth date (1970 to 1999) and the region vary with i.
func idNumber(i int) string {
	seq := i % 1000
	day := (i / 1000) % 10950
	region := idRegions[(i/1000/10950)%len(idRegions)]
	birth := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day)
	return pii.CompleteIDNumber(fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), seq))
}
