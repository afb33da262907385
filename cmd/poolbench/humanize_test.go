package main

import "testing"

func TestHumanFormatsHaveThreeDigitsAndAUnit(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{humanNum(0), "0"},
		{humanNum(7.5), "7.5"},
		{humanNum(980), "980"},
		{humanNum(999.7), "1k"},
		{humanNum(33912), "33.9k"},
		{humanNum(17526.4), "17.5k"},
		{humanNum(100000), "100k"},
		{humanNum(1254000), "1.25M"},
		{humanNum(3.2e9), "3.2G"},
		{humanNum(-1500), "-1.5k"},
		{humanMs(0), "0 ms"},
		{humanMs(0.00085), "850 ns"},
		{humanMs(0.094), "94 µs"},
		{humanMs(0.8034), "803 µs"},
		{humanMs(0.99971), "1 ms"},
		{humanMs(1.2), "1.2 ms"},
		{humanMs(4.325), "4.33 ms"},
		{humanMs(21.496), "21.5 ms"},
		{humanMs(2500), "2.5 s"},
		{humanMs(900000), "15 min"},
		{humanSeconds(0), "0 s"},
		{humanSeconds(0.5), "0.5 s"},
		{humanSeconds(60), "60 s"},
		{humanSeconds(1200), "20 min"},
		{humanCount(0), "0"},
		{humanCount(999), "999"},
		{humanCount(52584), "52,584"},
		{humanCount(1234567), "1,234,567"},
		{humanCount(-1000), "-1,000"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
