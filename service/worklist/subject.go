package worklist

import (
	"context"

	"yaoju/model"
)

// Item is a task with what the worker needs to find the case: where, and
// who.
type Item struct {
	model.Task
	Address string
	RoomNo  string
	Name    string
}

// subjects adds the unit's address and room and the resident's name to each
// task, in two queries for the whole page.
func (s *Service) subjects(ctx context.Context, tasks []model.Task) ([]Item, error) {
	out := make([]Item, len(tasks))
	var residenceIDs []uint64
	for i, t := range tasks {
		out[i].Task = t
		if t.ResidenceID != nil {
			residenceIDs = append(residenceIDs, *t.ResidenceID)
		}
	}
	db := s.db.WithContext(ctx)
	var residents []struct {
		ID     uint64
		UnitID uint64
		Name   string
	}
	if len(residenceIDs) > 0 {
		if err := db.Table("residences").Select("residences.id, residences.unit_id, persons.name").
			Joins("JOIN persons ON persons.id = residences.person_id").
			Where("residences.id IN ?", residenceIDs).Scan(&residents).Error; err != nil {
			return nil, err
		}
	}
	unitOf, nameOf := map[uint64]uint64{}, map[uint64]string{}
	for _, r := range residents {
		unitOf[r.ID], nameOf[r.ID] = r.UnitID, r.Name
	}
	unitIDs := make([]uint64, len(tasks))
	for i, t := range tasks {
		switch {
		case t.UnitID != nil:
			unitIDs[i] = *t.UnitID
		case t.ResidenceID != nil:
			unitIDs[i] = unitOf[*t.ResidenceID]
			out[i].Name = nameOf[*t.ResidenceID]
		}
	}
	places, err := s.houses.Places(ctx, unitIDs)
	if err != nil {
		return nil, err
	}
	for i, unit := range unitIDs {
		out[i].Address, out[i].RoomNo = places[unit].Address, places[unit].RoomNo
	}
	return out, nil
}
