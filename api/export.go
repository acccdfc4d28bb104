package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"yaoju/service/pii"
	"yaoju/service/residence"
)

var exportHeader = []any{"编号", "姓名", "身份证号", "手机号", "地址", "房号", "入住日期", "申报时间", "逾期申报", "状态", "注销原因", "下次签到", "风险等级", "工作单位", "户籍地"}

// exportResidences streams the residences of the caller's area as an Excel
// workbook, masked. Bulk exports are audited like a full ID read.
func (h *handler) exportResidences(c *gin.Context) {
	scope, good := h.scopeFilter(c)
	if !good {
		return
	}
	ctx := c.Request.Context()
	if err := h.Audit.Record(ctx, nil, actor(c), "residence.export", "area", 0, c.Query("area_id")); err != nil {
		fail(c, err)
		return
	}
	book := excelize.NewFile()
	defer book.Close()
	sheet, err := book.NewStreamWriter("Sheet1")
	if err != nil {
		fail(c, err)
		return
	}
	sheet.SetRow("A1", exportHeader)
	row := 2
	err = h.Residences.Each(ctx, scope, c.Query("status"), func(page []residence.View) error {
		for _, v := range page {
			cell, _ := excelize.CoordinatesToCellName(1, row)
			values := []any{v.ID, v.Name, v.IDMasked, pii.MaskPhone(v.Phone), v.Address, v.RoomNo, date(v.MoveInDate),
				ts(v.DeclaredAt), v.Late, v.Status, v.EndReason, ts(v.NextCheckinDue), v.Tier, v.Workplace, v.Hometown}
			if err := sheet.SetRow(cell, values); err != nil {
				return err
			}
			row++
		}
		return nil
	})
	if err == nil {
		err = sheet.Flush()
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="residences-%s.xlsx"`, date(h.Now())))
	c.Status(http.StatusOK)
	if err := book.Write(c.Writer); err != nil {
		h.Log.Error("export cut short", "request_id", c.GetString(requestIDKey), "err", err.Error())
	}
}
