//! The module registry protocol (developer.hashicorp.com/terraform/internals/module-registry-protocol):
//! service discovery at `https://HOST/.well-known/terraform.json` (`modules.v1`), then
//! `GET <base>/NAMESPACE/NAME/SYSTEM/versions` and `GET <base>/…/VERSION/download`, whose
//! `X-Terraform-Get` header (or JSON `location`) says where the package is.

use super::address::RegistryAddress;
use super::fetch::{join_url, token_for, Http};
use super::version::{Constraints, Version};

/// HTTPS, as Terraform requires, except on the loopback interface (a registry a test or a
/// developer runs locally), which is plain HTTP.
pub fn base_url(host: &str) -> String {
    let name = host.rsplit_once(':').map(|(n, _)| n).unwrap_or(host);
    let name = name.trim_start_matches('[').trim_end_matches(']');
    let loopback = name == "localhost" || name == "::1" || name.starts_with("127.");
    format!("{}://{host}", if loopback { "http" } else { "https" })
}

pub struct Registry<'h> {
    http: &'h Http,
}

impl<'h> Registry<'h> {
    pub fn new(http: &'h Http) -> Registry<'h> {
        Registry { http }
    }

    fn token(host: &str) -> Option<String> {
        token_for(host)
    }

    /// The base URL of the host's module registry API.
    fn modules_base(&self, host: &str) -> Result<String, String> {
        let url = format!("{}/.well-known/terraform.json", base_url(host));
        let resp = self.http.get(&url, Self::token(host).as_deref())?;
        if resp.status != 200 {
            return Err(format!(
                "{host} is not a module registry: GET {url} answered HTTP {}",
                resp.status
            ));
        }
        let doc: serde_json::Value = serde_json::from_slice(&resp.body)
            .map_err(|e| format!("{host} is not a module registry: {url} is not JSON ({e})"))?;
        let base = doc
            .get("modules.v1")
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("{host} offers no module registry (no \"modules.v1\" in {url})"))?;
        let mut base = join_url(&resp.url, base);
        if !base.ends_with('/') {
            base.push('/');
        }
        Ok(base)
    }

    /// The newest version `constraint` allows, and where to download it.
    pub fn locate(&self, addr: &RegistryAddress, constraint: &Constraints) -> Result<(Version, String), String> {
        let base = self.modules_base(&addr.host)?;
        let token = Self::token(&addr.host);
        let module = format!("{}/{}/{}", addr.namespace, addr.name, addr.system);
        let versions_url = format!("{base}{module}/versions");
        let resp = self.http.get(&versions_url, token.as_deref())?;
        match resp.status {
            200 => {}
            401 | 403 => {
                return Err(format!(
                    "{addr}: the registry refused access (HTTP {}); set TF_TOKEN_{} to a token",
                    resp.status,
                    addr.host
                        .split(':')
                        .next()
                        .unwrap_or(&addr.host)
                        .replace('-', "__")
                        .replace('.', "_")
                ))
            }
            404 => return Err(format!("{addr}: no such module on {}", addr.host)),
            s => return Err(format!("GET {versions_url}: HTTP {s}")),
        }
        let doc: serde_json::Value =
            serde_json::from_slice(&resp.body).map_err(|e| format!("{versions_url} is not JSON: {e}"))?;
        let versions: Vec<Version> = doc["modules"]
            .as_array()
            .and_then(|m| m.first())
            .and_then(|m| m["versions"].as_array())
            .map(|vs| {
                vs.iter()
                    .filter_map(|v| v["version"].as_str().and_then(Version::parse))
                    .collect()
            })
            .unwrap_or_default();
        let chosen = constraint.newest(&versions).cloned().ok_or_else(|| {
            let mut listed: Vec<&Version> = versions.iter().collect();
            listed.sort();
            let shown: Vec<String> = listed.iter().rev().take(5).map(|v| v.to_string()).collect();
            format!(
                "{addr}: no version matches the constraint (the registry has {})",
                if shown.is_empty() {
                    "none".to_string()
                } else {
                    format!("{}{}", shown.join(", "), if listed.len() > 5 { ", …" } else { "" })
                }
            )
        })?;
        let download_url = format!("{base}{module}/{chosen}/download");
        let resp = self.http.get(&download_url, token.as_deref())?;
        if !(200..300).contains(&resp.status) {
            return Err(format!("GET {download_url}: HTTP {}", resp.status));
        }
        let location = resp
            .terraform_get
            .clone()
            .or_else(|| {
                serde_json::from_slice::<serde_json::Value>(&resp.body)
                    .ok()
                    .and_then(|v| v["location"].as_str().map(str::to_string))
            })
            .ok_or_else(|| {
                format!("{download_url}: the registry did not say where the package is (X-Terraform-Get)")
            })?;
        Ok((chosen, join_url(&resp.url, &location)))
    }
}
