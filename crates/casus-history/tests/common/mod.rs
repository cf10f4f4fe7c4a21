//! What the tests of the importers share: small state and country-code lists.

#![allow(dead_code)]

/// A COW state list of the states the tests name.
pub(crate) const STATES: &str = "\
stateabb,ccode,statenme,styear
USA,2,United States of America,1816
UKG,200,United Kingdom,1816
FRN,220,France,1816
BAV,245,Bavaria,1816
GMY,255,Germany,1816
GFR,260,German Federal Republic,1955
GDR,265,German Democratic Republic,1954
AUH,300,Austria-Hungary,1816
CZE,315,Czechoslovakia,1918
ITA,325,Italy,1816
YUG,345,Yugoslavia,1878
RUS,365,Russia,1816
TUR,640,Turkey,1816
KOR,730,Korea,1887
ROK,732,South Korea,1949
";

/// Their ISO codes, where they have one (Bavaria has none).
pub(crate) const COUNTRY_CODES: &str = "\
cown,iso3c,country.name.en
2,USA,United States
200,GBR,United Kingdom
220,FRA,France
245,,Bavaria
255,DEU,Germany
325,ITA,Italy
365,RUS,Russia
640,TUR,Turkey
732,KOR,South Korea
";
