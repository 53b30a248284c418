package device

import (
	"slices"

	"scanmail/device/apitype"
)

// DescribeSettings describes every setting, in table order, so that the
// panel and the web page render their forms from data.
func DescribeSettings() []apitype.SettingInfo {
	defaults := DefaultSettings()
	var out []apitype.SettingInfo
	for _, st := range settingsTable() {
		info := apitype.SettingInfo{
			Key:     st.key,
			Kind:    st.kind,
			Choices: slices.Clone(st.choices),
			Unit:    st.unit,
			Secret:  st.secret,
			Help:    st.help,
		}
		if info.Kind == "" {
			info.Kind = apitype.KindString
		}
		if info.Kind == apitype.KindInt {
			info.Min, info.Max = new(st.min), new(st.max)
		}
		if st.providers != nil {
			info.Providers = st.providers()
		}
		info.Roads = slices.Clone(st.roads)
		if !st.secret {
			info.Default = st.get(&defaults)
		}
		out = append(out, info)
	}
	return out
}

// rawValue is the value of a setting as Set takes it back.
func (st setting) rawValue(s *Settings) string {
	if st.raw != nil {
		return st.raw(s)
	}
	return st.get(s)
}
