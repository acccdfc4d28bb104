package house

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"yaoju/model"
	"yaoju/service/area"
	"yaoju/service/errs"
	"yaoju/service/plate"
)

// CodeSource draws a unit's mini-program code; WeChat's getwxacodeunlimit.
type CodeSource interface {
	WXACode(ctx context.Context, scene string) (img []byte, contentType string, err error)
}

// Codes serves unit codes, asking WeChat once per unit and code version (the
// page and env version the code opens). Images are kept in the database so
// that every instance shares them.
type Codes struct {
	db      *gorm.DB
	wx      CodeSource
	version string
}

// NewCodes builds the code cache; version changes when the page or the env
// version the codes open changes.
func NewCodes(db *gorm.DB, wx CodeSource, version string) *Codes {
	return &Codes{db: db, wx: wx, version: version}
}

// Image returns the unit's code image and its content type.
func (c *Codes) Image(ctx context.Context, u model.Unit) ([]byte, string, error) {
	var cached model.UnitCode
	err := c.db.WithContext(ctx).Where("unit_id = ? AND version = ?", u.ID, c.version).First(&cached).Error
	if err == nil {
		return cached.Image, cached.ContentType, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, "", err
	}
	img, contentType, err := c.wx.WXACode(ctx, u.Scene)
	if err != nil {
		return nil, "", fmt.Errorf("wechat code for unit %d: %w", u.ID, errors.Join(errs.ErrUnavailable, err))
	}
	row := model.UnitCode{UnitID: u.ID, Version: c.version, ContentType: contentType, Image: img}
	// Two instances may draw the same code at once; either copy will do.
	err = c.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	return img, contentType, err
}

// PlateFilter picks the plates to print: one house, or a whole area.
type PlateFilter struct {
	Scope   area.Scope
	AreaID  uint64
	HouseID uint64
}

// batch is how many units a plate run loads at a time: memory stays flat
// however many units an area has.
const batch = 100

// Plates streams the plates of approved houses, one at a time, for
// plate.Renderer. It fails with ErrNotFound before anything is written when
// there is nothing to print.
func (s *Service) Plates(ctx context.Context, codes *Codes, f PlateFilter) (func() (plate.Plate, bool, error), error) {
	scope := f.Scope
	if f.HouseID != 0 {
		h, err := s.inScope(ctx, scope, f.HouseID)
		if err != nil {
			return nil, err
		}
		if h.Status != model.HouseApproved {
			return nil, errs.ErrNotApproved
		}
	}
	if f.AreaID != 0 {
		var err error
		if scope, err = s.areas.Narrow(ctx, scope, f.AreaID); err != nil {
			return nil, err
		}
	}
	query := func() *gorm.DB {
		q := s.db.WithContext(ctx).Table("units").
			Joins("JOIN houses ON houses.id = units.house_id").
			Where("houses.status = ?", model.HouseApproved)
		if f.HouseID != 0 {
			q = q.Where("houses.id = ?", f.HouseID)
		}
		if !scope.All {
			q = q.Where("houses.area_id IN ?", scope.IDs())
		}
		return q
	}
	var count int64
	if err := query().Count(&count).Error; err != nil {
		return nil, err
	}
	if count == 0 {
		return nil, errs.ErrNotFound
	}
	type row struct {
		model.Unit
		Address      string
		LandlordName string
		AreaID       uint64
	}
	var pending []row
	var lastID uint64
	done := false
	return func() (plate.Plate, bool, error) {
		if len(pending) == 0 && !done {
			if err := query().Select("units.*, houses.address, houses.landlord_name, houses.area_id").
				Where("units.id > ?", lastID).Order("units.id").Limit(batch).Scan(&pending).Error; err != nil {
				return plate.Plate{}, false, err
			}
			done = len(pending) < batch
		}
		if len(pending) == 0 {
			return plate.Plate{}, false, nil
		}
		r := pending[0]
		pending = pending[1:]
		lastID = r.ID
		img, _, err := codes.Image(ctx, r.Unit)
		if err != nil {
			return plate.Plate{}, false, err
		}
		return plate.Plate{
			Number:       PlateNumber(r.AreaID, r.HouseID, r.ID),
			Address:      r.Address,
			RoomNo:       r.RoomNo,
			LandlordName: r.LandlordName,
			Scene:        r.Scene,
			Code:         img,
		}, true, nil
	}, nil
}

// PlateNumber is the number printed on a plate: community, house and unit.
func PlateNumber(areaID, houseID, unitID uint64) string {
	return pad(areaID, 4) + "-" + pad(houseID, 6) + "-" + pad(unitID, 7)
}

func pad(n uint64, width int) string {
	s := strconv.FormatUint(n, 10)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
