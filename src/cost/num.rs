//! Checked figures for estimators: a [`Num`] is a `Decimal`, or the reason there is none (an
//! input that does not fit, or a product that overflows). Its operators never panic — rust_decimal
//! panics on overflow — and a figure that went wrong stays wrong through every later operation, so
//! the line it prices is reported as not priced with that reason, never as a wrong number.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::ops::{Add, Div, Mul, Sub};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub enum Num {
    /// A figure; `from` names the configuration or usage input it came from (`write_capacity`),
    /// so an overflow further on can say which input is too large.
    Ok(Decimal, Option<Arc<str>>),
    /// No figure: `quantity too large: write_capacity = 1e+30`.
    Invalid(Arc<str>),
}

impl Num {
    pub const ZERO: Num = Num::Ok(Decimal::ZERO, None);
    pub const ONE: Num = Num::Ok(Decimal::ONE, None);

    /// A figure read from the input `name`.
    pub fn named(d: Decimal, name: &str) -> Num {
        Num::Ok(d, Some(name.into()))
    }

    pub fn invalid(reason: impl Into<String>) -> Num {
        Num::Invalid(reason.into().into())
    }

    /// An HCL number (f64) read from `name`: not finite, or beyond what a `Decimal` holds, is a
    /// reason rather than a figure.
    pub fn from_f64(n: f64, name: &str) -> Num {
        if !n.is_finite() {
            return Num::invalid(format!(
                "quantity not a finite number: {name} = {}",
                crate::model::value::format_number(n)
            ));
        }
        match <Decimal as std::str::FromStr>::from_str(&crate::model::value::format_number(n))
            .or_else(|_| Decimal::from_scientific(&format!("{n:e}")))
        {
            Ok(d) => Num::named(d, name),
            Err(_) => Num::invalid(format!("quantity too large: {name} = {}", sci_f64(n))),
        }
    }

    /// A count (instances, nodes, tasks, capacity units): a negative value is a reason.
    pub fn count(self) -> Num {
        match &self {
            Num::Ok(d, from) if d.is_sign_negative() && !d.is_zero() => Num::invalid(format!(
                "quantity not a count: {} = {}",
                from.as_deref().unwrap_or("count"),
                sci(*d)
            )),
            _ => self,
        }
    }

    pub fn value(&self) -> Option<Decimal> {
        match self {
            Num::Ok(d, _) => Some(*d),
            Num::Invalid(_) => None,
        }
    }

    /// The figure as a `Result`: the reason when there is none.
    pub fn get(&self) -> Result<Decimal, String> {
        match self {
            Num::Ok(d, _) => Ok(*d),
            Num::Invalid(r) => Err(r.to_string()),
        }
    }

    pub fn is_zero(&self) -> bool {
        matches!(self, Num::Ok(d, _) if d.is_zero())
    }

    pub fn ceil(self) -> Num {
        match self {
            Num::Ok(d, f) => Num::Ok(d.ceil(), f),
            other => other,
        }
    }

    fn op(self, rhs: Num, sign: &str, f: impl FnOnce(Decimal, Decimal) -> Option<Decimal>) -> Num {
        match (self, rhs) {
            (Num::Invalid(r), _) | (_, Num::Invalid(r)) => Num::Invalid(r),
            (Num::Ok(a, fa), Num::Ok(b, fb)) => match f(a, b) {
                Some(c) => Num::Ok(c, keep_from(a, fa, b, fb)),
                // Blame the named input of the larger magnitude; else show the operation.
                None => Num::invalid(match (fa, fb) {
                    (Some(n), None) => format!("quantity too large: {n} = {}", sci(a)),
                    (None, Some(n)) => format!("quantity too large: {n} = {}", sci(b)),
                    (Some(na), Some(_)) if a.abs() >= b.abs() => {
                        format!("quantity too large: {na} = {}", sci(a))
                    }
                    (Some(_), Some(nb)) => format!("quantity too large: {nb} = {}", sci(b)),
                    (None, None) => format!("quantity too large: {} {sign} {} overflows", sci(a), sci(b)),
                }),
            },
        }
    }
}

fn keep_from(a: Decimal, fa: Option<Arc<str>>, b: Decimal, fb: Option<Arc<str>>) -> Option<Arc<str>> {
    match (fa, fb) {
        (Some(x), Some(y)) => Some(if a.abs() >= b.abs() { x } else { y }),
        (x, y) => x.or(y),
    }
}

/// `1e+30`, `7.3e+27`; plain digits below 1e21.
pub fn sci(d: Decimal) -> String {
    if d.abs() < Decimal::from(1_000_000_000_000_000_000_000i128) {
        d.normalize().to_string()
    } else {
        sci_f64(d.to_f64().unwrap_or(f64::MAX))
    }
}

pub fn sci_f64(n: f64) -> String {
    if n.abs() < 1e21 {
        return crate::model::value::format_number(n);
    }
    let s = format!("{n:e}");
    match s.split_once('e') {
        Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
        _ => s,
    }
}

impl Default for Num {
    fn default() -> Num {
        Num::ZERO
    }
}

impl From<Decimal> for Num {
    fn from(d: Decimal) -> Num {
        Num::Ok(d, None)
    }
}

impl PartialEq for Num {
    fn eq(&self, other: &Num) -> bool {
        match (self, other) {
            (Num::Ok(a, _), Num::Ok(b, _)) => a == b,
            (Num::Invalid(a), Num::Invalid(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Num {}

/// A figure too large to hold is greater than every figure (so `iops > 3000` holds for it, and the
/// component it guards is listed, not priced).
impl Ord for Num {
    fn cmp(&self, other: &Num) -> Ordering {
        match (self, other) {
            (Num::Ok(a, _), Num::Ok(b, _)) => a.cmp(b),
            (Num::Ok(..), Num::Invalid(_)) => Ordering::Less,
            (Num::Invalid(_), Num::Ok(..)) => Ordering::Greater,
            (Num::Invalid(a), Num::Invalid(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Num) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

macro_rules! ops {
    ($($tr:ident $m:ident $sign:literal $checked:ident;)*) => {$(
        impl $tr<Num> for Num {
            type Output = Num;
            fn $m(self, rhs: Num) -> Num {
                self.op(rhs, $sign, |a, b| a.$checked(b))
            }
        }
        impl $tr<Decimal> for Num {
            type Output = Num;
            fn $m(self, rhs: Decimal) -> Num {
                self.op(Num::from(rhs), $sign, |a, b| a.$checked(b))
            }
        }
        impl $tr<Num> for Decimal {
            type Output = Num;
            fn $m(self, rhs: Num) -> Num {
                Num::from(self).op(rhs, $sign, |a, b| a.$checked(b))
            }
        }
    )*};
}

ops! {
    Add add "+" checked_add;
    Sub sub "-" checked_sub;
    Mul mul "×" checked_mul;
    Div div "/" checked_div;
}

/// Checked `a × b` of plain decimals.
pub fn mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_mul(b)
}

/// Checked `a + b` of plain decimals.
pub fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_add(b)
}

/// The sum of monthly figures. `estimate_project` keeps an environment's lines under
/// [`super::largest_total`], so this never reaches the bound it saturates at.
pub fn sum(figures: impl IntoIterator<Item = Decimal>) -> Decimal {
    figures.into_iter().fold(Decimal::ZERO, |a, b| a.saturating_add(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_names_the_input_and_sticks() {
        let wc = Num::from_f64(1e27, "write_capacity");
        let q = Decimal::from(730) * wc;
        assert_eq!(q.get(), Err("quantity too large: write_capacity = 1e+27".to_string()));
        assert!((q.clone() + Decimal::ONE).value().is_none());
        assert!(q > Num::from(Decimal::MAX));
        assert_eq!(
            Num::from_f64(1e30, "num_cache_nodes").get(),
            Err("quantity too large: num_cache_nodes = 1e+30".to_string())
        );
        assert!(Num::from_f64(f64::NAN, "x").value().is_none());
        assert!(Num::from_f64(f64::INFINITY, "x").value().is_none());
        assert!(Num::from_f64(-2.0, "desired_count").count().value().is_none());
        assert_eq!(Num::from_f64(2.5, "x").value(), Some(Decimal::new(25, 1)));
        assert_eq!(
            Num::from_f64(1e25, "x").value(),
            Some(Decimal::from(10_000_000_000_000_000_000_000_000i128))
        );
    }
}
