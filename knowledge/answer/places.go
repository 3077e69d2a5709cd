package answer

import (
	"strings"

	"github.com/attache-bot/attache/knowledge/text"
)

// placeNames are the countries, territories, US states and a few regions
// that news names: a "where" or "which country" question is answered by a
// sentence that names one the question does not.
const placeNames = `Afghanistan|Albania|Algeria|Andorra|Angola|Antigua and Barbuda|Argentina|Armenia|Australia|Austria|
Azerbaijan|Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|Bosnia|Herzegovina|
Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|Cambodia|Cameroon|Canada|Cape Verde|Central African Republic|
Chad|Chile|China|Colombia|Comoros|Congo|Costa Rica|Croatia|Cuba|Cyprus|Czech Republic|Czechia|Denmark|Djibouti|
Dominica|Dominican Republic|Ecuador|Egypt|El Salvador|Equatorial Guinea|Eritrea|Estonia|Eswatini|Ethiopia|Fiji|
Finland|France|Gabon|Gambia|Georgia|Germany|Ghana|Greece|Grenada|Guatemala|Guinea|Guinea-Bissau|Guyana|Haiti|
Honduras|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|Ivory Coast|Jamaica|Japan|Jordan|
Kazakhstan|Kenya|Kiribati|Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|Libya|Liechtenstein|
Lithuania|Luxembourg|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|Marshall Islands|Mauritania|Mauritius|Mexico|
Micronesia|Moldova|Monaco|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|Burma|Namibia|Nauru|Nepal|Netherlands|
New Zealand|Nicaragua|Niger|Nigeria|North Korea|North Macedonia|Norway|Oman|Pakistan|Palau|Palestine|Panama|
Papua New Guinea|Paraguay|Peru|Philippines|Poland|Portugal|Qatar|Romania|Russia|Rwanda|Samoa|San Marino|
Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone|Singapore|Slovakia|Slovenia|Solomon Islands|Somalia|
South Africa|South Korea|South Sudan|Spain|Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Syria|Taiwan|Tajikistan|
Tanzania|Thailand|Timor-Leste|Togo|Tonga|Trinidad and Tobago|Tunisia|Turkey|Türkiye|Turkmenistan|Tuvalu|Uganda|
Ukraine|United Arab Emirates|United Kingdom|Britain|England|Scotland|Wales|Northern Ireland|United States|America|
Uruguay|Uzbekistan|Vanuatu|Vatican|Venezuela|Vietnam|Yemen|Zambia|Zimbabwe|Greenland|Puerto Rico|Hong Kong|
Macau|Tibet|Xinjiang|Crimea|Donbas|Gaza|West Bank|Kashmir|Chechnya|Kurdistan|Catalonia|Bavaria|Sicily|Sardinia|
Corsica|Iceland|Canary Islands|Azores|Madeira|Balkans|Caribbean|Middle East|Europe|Africa|Asia|Antarctica|Arctic|
Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Hawaii|Idaho|Illinois|Indiana|
Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|
Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|
Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|
West Virginia|Wisconsin|Wyoming|Ontario|Quebec|Alberta|British Columbia|Siberia|Kyiv|Moscow|Beijing|Tehran|
London|Paris|Berlin|Rome|Madrid|Brussels|Geneva|Vienna|Istanbul|Ankara|Cairo|Riyadh|Doha|Dubai|Jerusalem|
Tel Aviv|Damascus|Beirut|Baghdad|Kabul|Islamabad|Delhi|New Delhi|Mumbai|Tokyo|Seoul|Pyongyang|Taipei|Manila|
Jakarta|Bangkok|Hanoi|Canberra|Sydney|Ottawa|Mexico City|Havana|Caracas|Bogota|Lima|Brasilia|Buenos Aires|
Santiago|Nairobi|Lagos|Addis Ababa|Khartoum|Tripoli|Algiers|Rabat|Warsaw|Prague|Budapest|Bucharest|Sofia|
Athens|Belgrade|Minsk|Tbilisi|Yerevan|Baku|Astana|Tashkent|Muscat|Abu Dhabi|Jeddah|Sharm el-Sheikh|Anchorage|
San Francisco|Los Angeles|Chicago|Houston|Miami|Boston|Philadelphia|Atlanta|Seattle|Dallas|Detroit|Palm Beach`

// placeIndex maps the folded first word of each place name to the names
// (as folded word lists) that start with it.
var placeIndex = func() map[string][][]string {
	idx := map[string][][]string{}
	for _, name := range strings.Split(strings.ReplaceAll(placeNames, "\n", ""), "|") {
		ws := text.Words(name)
		if len(ws) > 0 {
			idx[ws[0]] = append(idx[ws[0]], ws)
		}
	}
	return idx
}()

// placesIn returns the known place names a text mentions, as folded words.
// Only capitalised occurrences count ("Georgia", not "georgia").
func placesIn(s string) []string {
	var out []string
	fields := strings.Fields(s)
	for i, f := range fields {
		if f == "" || !startsUpper(f) {
			continue
		}
		ws := text.Words(f)
		if len(ws) == 0 {
			continue
		}
		for _, name := range placeIndex[ws[0]] {
			if matchesAt(fields, i, name) {
				out = append(out, strings.Join(name, " "))
				break
			}
		}
	}
	return out
}

// matchesAt reports whether the fields from i on start with the words of name.
func matchesAt(fields []string, i int, name []string) bool {
	var got []string
	for j := i; j < len(fields) && len(got) < len(name); j++ {
		got = append(got, text.Words(fields[j])...)
	}
	if len(got) < len(name) {
		return false
	}
	for k := range name {
		if got[k] != name[k] {
			return false
		}
	}
	return true
}

func startsUpper(s string) bool {
	for _, r := range s {
		return r >= 'A' && r <= 'Z' || r > 0x7f && strings.ToUpper(string(r)) == string(r) && strings.ToLower(string(r)) != string(r)
	}
	return false
}
