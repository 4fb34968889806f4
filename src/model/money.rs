//! Amounts of money as a bill writes them: rounded to the cent, half away from zero, in USD.
//! Shared by the cost engine, the budget rule and the reporters.

use rust_decimal::Decimal;

/// Rounds to the cent, half away from zero, as a bill does.
pub fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// `$1,234.56`.
pub fn usd(d: Decimal) -> String {
    let c = cents(d);
    let s = format!("{:.2}", c.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!(
        "{}${grouped}.{frac}",
        if c.is_sign_negative() && !c.is_zero() { "-" } else { "" }
    )
}

/// A unit price with all its digits: `$0.0112`.
pub fn unit_usd(d: Decimal) -> String {
    let d = d.normalize();
    if d.scale() < 2 {
        format!("${:.2}", d)
    } else {
        format!("${d}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_is_rounded_half_away_from_zero_and_grouped() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(usd(d("8.176")), "$8.18");
        assert_eq!(usd(d("8.175")), "$8.18");
        assert_eq!(usd(d("1234567.5")), "$1,234,567.50");
        assert_eq!(usd(d("0")), "$0.00");
        assert_eq!(usd(d("-12.345")), "-$12.35");
        assert_eq!(unit_usd(d("0.0112")), "$0.0112");
        assert_eq!(unit_usd(d("5.00")), "$5.00");
        assert_eq!(unit_usd(d("0.4")), "$0.40");
    }
}
