//! The IAM actions AWS defines, with their access level and whether they can be scoped to a
//! resource: `iam_actions.tsv`, generated from the Service Authorization Reference by
//! `benches/iam_actions.py`, and built into static arrays by build.rs: nothing to read at run
//! time.

use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    List,
    Read,
    Write,
    Permissions,
    Tagging,
}

#[derive(Debug, Clone, Copy)]
pub struct Action {
    /// The service prefix, lowercase as AWS writes it: `s3`.
    pub service: &'static str,
    /// As AWS spells it: `CreateBucket`.
    pub name: &'static str,
    pub level: Level,
    /// It can be limited to resource ARNs (otherwise only `"Resource": "*"` applies).
    pub scoped: bool,
}

impl Action {
    /// `s3:CreateBucket`.
    pub fn full(&self) -> String {
        format!("{}:{}", self.service, self.name)
    }

    /// Whether this is `service:action` (IAM compares action names without regard to case).
    pub fn is(&self, full: &str) -> bool {
        // The length first: it tells most pairs apart without reading either name.
        let (f, s) = (full.as_bytes(), self.service.len());
        f.len() == s + 1 + self.name.len()
            && f[s] == b':'
            && f[..s].eq_ignore_ascii_case(self.service.as_bytes())
            && f[s + 1..].eq_ignore_ascii_case(self.name.as_bytes())
    }
}

mod table {
    use super::{Action, Level};
    include!(concat!(env!("OUT_DIR"), "/iam_actions.rs"));
}

/// `*` and `?` wildcards, case-insensitive, as IAM matches action names.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    // IAM action names and service prefixes are ASCII: compare bytes, without allocating.
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == b'?' || p[i].eq_ignore_ascii_case(&t[j])) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == b'*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == b'*' {
        i += 1;
    }
    i == p.len()
}

/// The actions an action pattern of a policy grants (`s3:Get*`, `iam:PassRole`, `*`), as
/// in the order of their `service:Action` names. An action AWS does not define grants nothing.
pub fn expand(pattern: &str) -> std::sync::Arc<Vec<&'static Action>> {
    // Every rule of the iam_statements family expands the same patterns (`*`, `s3:*`, …):
    // each pattern is matched against the table once per run.
    type Expanded = std::sync::Arc<Vec<&'static Action>>;
    static CACHE: OnceLock<std::sync::Mutex<std::collections::HashMap<String, Expanded>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(pattern) {
        return hit.clone();
    }
    let found = std::sync::Arc::new(expand_uncached(pattern));
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(pattern.to_string(), found.clone());
    found
}

fn expand_uncached(pattern: &str) -> Vec<&'static Action> {
    let (service, action) = match pattern.split_once(':') {
        Some((s, a)) => (s, a),
        None if pattern == "*" => ("*", "*"),
        None => return Vec::new(),
    };
    // A literal service (`s3:Get*`, the usual case) is one range, not a pass over every service.
    let wild = service.contains(['*', '?']);
    let mut out = Vec::new();
    for (svc, start, end) in table::SERVICES {
        if (wild && wildcard_match(service, svc)) || (!wild && service.eq_ignore_ascii_case(svc)) {
            out.extend(
                table::ACTIONS[*start..*end]
                    .iter()
                    .filter(|a| wildcard_match(action, a.name)),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_expand_as_iam_matches_them() {
        assert!(wildcard_match("Get*", "GetObject"));
        assert!(wildcard_match("get*", "GetObject"));
        assert!(wildcard_match("*Object", "GetObject"));
        assert!(wildcard_match("Get?bject", "GetObject"));
        assert!(!wildcard_match("Put*", "GetObject"));
        let get = expand("s3:GetObject");
        assert_eq!(get.len(), 1);
        assert_eq!(get[0].level, Level::Read);
        assert!(get[0].scoped);
        assert_eq!(get[0].full(), "s3:GetObject");
        assert!(get[0].is("S3:getobject") && !get[0].is("s3:GetObjectAcl") && !get[0].is("GetObject"));
        let list = expand("s3:ListAllMyBuckets");
        assert!(!list[0].scoped, "ListAllMyBuckets applies to * only");
        assert_eq!(expand("iam:PutRolePolicy")[0].level, Level::Permissions);
        assert!(expand("s3:*").len() > 100);
        assert!(expand("*").len() > 15_000);
        assert!(expand("s3:NoSuchAction").is_empty());
        assert!(expand("nonsense").is_empty());
    }
}
