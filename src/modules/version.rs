//! Terraform's version constraints (hashicorp/go-version, as `version` arguments of module calls
//! use them): comma-separated `=`, `!=`, `>`, `>=`, `<`, `<=`, `~>`, a bare version meaning `=`.
//! A pre-release version is chosen only when a constraint names it exactly.

use std::cmp::Ordering;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Major, minor, patch and any further numbers go-version allows.
    pub numbers: Vec<u64>,
    pub pre: String,
    /// How many numbers were written (a constraint's `~> 1.2` names two).
    pub given: usize,
}

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim();
        let s = s.strip_prefix('v').unwrap_or(s);
        let s = s.split('+').next().unwrap_or(s); // build metadata does not order
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) if !p.is_empty() => (c, p.to_string()),
            Some(_) => return None,
            None => (s, String::new()),
        };
        let numbers: Vec<u64> = core.split('.').map(|n| n.parse().ok()).collect::<Option<_>>()?;
        if numbers.is_empty() || numbers.len() > 4 {
            return None;
        }
        let given = numbers.len();
        let mut numbers = numbers;
        numbers.resize(3.max(given), 0);
        Some(Version { numbers, pre, given })
    }

    fn cmp_pre(a: &str, b: &str) -> Ordering {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => {
                let (xa, xb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
                for (x, y) in xa.iter().zip(&xb) {
                    let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                        (Ok(m), Ok(n)) => m.cmp(&n),
                        (Ok(_), Err(_)) => Ordering::Less,
                        (Err(_), Ok(_)) => Ordering::Greater,
                        _ => x.cmp(y),
                    };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                xa.len().cmp(&xb.len())
            }
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.numbers.len().max(other.numbers.len());
        for i in 0..n {
            let (a, b) = (
                self.numbers.get(i).copied().unwrap_or(0),
                other.numbers.get(i).copied().unwrap_or(0),
            );
            if a != b {
                return a.cmp(&b);
            }
        }
        Version::cmp_pre(&self.pre, &other.pre)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n: Vec<String> = self.numbers.iter().map(|n| n.to_string()).collect();
        write!(f, "{}", n.join("."))?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Pessimistic,
}

#[derive(Debug, Clone)]
pub struct Constraints(Vec<(Op, Version)>);

impl Constraints {
    /// Parses `">= 1.2, < 2.0"`; an empty string allows every version.
    pub fn parse(s: &str) -> Result<Constraints, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim) {
            if part.is_empty() {
                if s.trim().is_empty() {
                    continue;
                }
                return Err(format!("{s:?} is not a version constraint"));
            }
            let (op, rest) = [
                ("~>", Op::Pessimistic),
                (">=", Op::Ge),
                ("<=", Op::Le),
                ("!=", Op::Ne),
                (">", Op::Gt),
                ("<", Op::Lt),
                ("=", Op::Eq),
            ]
            .iter()
            .find_map(|(p, op)| part.strip_prefix(p).map(|r| (*op, r)))
            .unwrap_or((Op::Eq, part));
            let v = Version::parse(rest).ok_or_else(|| format!("{part:?} is not a version constraint"))?;
            out.push((op, v));
        }
        Ok(Constraints(out))
    }

    pub fn allows(&self, v: &Version) -> bool {
        // A pre-release is chosen only by a constraint that names exactly that version.
        if !v.pre.is_empty() && !self.0.iter().any(|(op, c)| *op == Op::Eq && c == v) {
            return false;
        }
        self.0.iter().all(|(op, c)| match op {
            Op::Eq => v == c,
            Op::Ne => v != c,
            Op::Gt => v > c,
            Op::Ge => v >= c,
            Op::Lt => v < c,
            Op::Le => v <= c,
            Op::Pessimistic => {
                // ~> 1.2.3: >= 1.2.3 with the first given-1 numbers equal (so `~> 2` is `>= 2`,
                // as in go-version).
                let fixed = c.given.saturating_sub(1);
                v >= c && v.numbers.iter().zip(&c.numbers).take(fixed).all(|(a, b)| a == b)
            }
        })
    }

    /// The newest of `versions` these constraints allow.
    pub fn newest<'a>(&self, versions: impl IntoIterator<Item = &'a Version>) -> Option<&'a Version> {
        versions.into_iter().filter(|v| self.allows(v)).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(c: &str, vs: &[&str]) -> Option<String> {
        let vs: Vec<Version> = vs.iter().map(|v| Version::parse(v).unwrap()).collect();
        Constraints::parse(c).unwrap().newest(&vs).map(|v| v.to_string())
    }

    #[test]
    fn constraints_choose_as_terraform_does() {
        let all = ["1.0.0", "1.2.0", "1.2.5", "1.3.0", "2.0.0", "2.1.0-beta1"];
        assert_eq!(pick("~> 1.2", &all).as_deref(), Some("1.3.0"));
        assert_eq!(pick("~> 1.2.0", &all).as_deref(), Some("1.2.5"));
        assert_eq!(pick(">= 1.0, < 2.0", &all).as_deref(), Some("1.3.0"));
        assert_eq!(pick("1.2.0", &all).as_deref(), Some("1.2.0"));
        assert_eq!(pick("", &all).as_deref(), Some("2.0.0"));
        assert_eq!(pick("!= 2.0.0", &all).as_deref(), Some("1.3.0"));
        assert_eq!(pick("2.1.0-beta1", &all).as_deref(), Some("2.1.0-beta1"));
        assert_eq!(pick(">= 3", &all), None);
        assert_eq!(pick("~> 1", &all).as_deref(), Some("2.0.0"));
        assert!(Constraints::parse(">= banana").is_err());
    }
}
