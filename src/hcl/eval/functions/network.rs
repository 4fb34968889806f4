//! IP network functions: cidrhost, cidrnetmask, cidrsubnet, cidrsubnets (IPv4 and IPv6).

use super::{arity, num_arg, str_arg, FnResult};
use crate::model::Value;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

struct Net {
    addr: u128,
    prefix: u32,
    bits: u32,
}

impl Net {
    fn mask(&self, len: u32) -> u128 {
        if len == 0 {
            0
        } else {
            let all = if self.bits == 32 { u32::MAX as u128 } else { u128::MAX };
            (all << (self.bits - len)) & all
        }
    }

    fn host_mask(&self, len: u32) -> u128 {
        let all = if self.bits == 32 { u32::MAX as u128 } else { u128::MAX };
        !self.mask(len) & all
    }

    fn fmt_addr(&self, a: u128) -> String {
        if self.bits == 32 {
            Ipv4Addr::from(a as u32).to_string()
        } else {
            Ipv6Addr::from(a).to_string()
        }
    }
}

fn parse(s: &str) -> Result<Net, String> {
    let (ip, len) = s
        .split_once('/')
        .ok_or_else(|| format!("invalid CIDR expression: invalid CIDR address: {s}"))?;
    let ip: IpAddr = ip
        .parse()
        .map_err(|_| format!("invalid CIDR expression: invalid CIDR address: {s}"))?;
    let prefix: u32 = len
        .parse()
        .map_err(|_| format!("invalid CIDR expression: invalid CIDR address: {s}"))?;
    let (addr, bits) = match ip {
        IpAddr::V4(v) => (u32::from(v) as u128, 32),
        IpAddr::V6(v) => (u128::from(v), 128),
    };
    if prefix > bits {
        return Err(format!("invalid CIDR expression: invalid CIDR address: {s}"));
    }
    let mut n = Net { addr, prefix, bits };
    n.addr &= n.mask(prefix);
    Ok(n)
}

fn whole(a: &[Value], i: usize) -> Result<i128, String> {
    let n = num_arg(a, i)?;
    if n.fract() != 0.0 {
        return Err(format!("argument {} must be a whole number", i + 1));
    }
    Ok(n as i128)
}

pub fn cidrhost(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let net = parse(&str_arg(a, 0)?)?;
    let mut host = whole(a, 1)?;
    let host_bits = net.bits - net.prefix;
    let max: i128 = if host_bits >= 127 {
        i128::MAX
    } else {
        1i128 << host_bits
    };
    let orig = host;
    if host < 0 {
        host += max;
    }
    if host < 0 || host >= max {
        return Err(format!(
            "prefix of {} does not accommodate a host numbered {orig}",
            net.prefix
        ));
    }
    Ok(Value::String(net.fmt_addr(net.addr | host as u128)))
}

pub fn cidrnetmask(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let net = parse(&str_arg(a, 0)?)?;
    if net.bits != 32 {
        return Err("only IPv4 networks are supported".into());
    }
    Ok(Value::String(net.fmt_addr(net.mask(net.prefix))))
}

pub fn cidrsubnet(a: &[Value]) -> FnResult {
    arity(a, 3)?;
    let net = parse(&str_arg(a, 0)?)?;
    let newbits = whole(a, 1)?;
    let num = whole(a, 2)?;
    if newbits < 0 {
        return Err("must extend prefix by at least one bit".into());
    }
    let newlen = net.prefix as i128 + newbits;
    if newlen > net.bits as i128 {
        return Err(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            net.prefix
        ));
    }
    let newlen = newlen as u32;
    if num < 0 || (newbits < 127 && num >= (1i128 << newbits)) {
        return Err(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {num}"
        ));
    }
    let shifted = if newbits == 0 {
        0
    } else {
        (num as u128) << (net.bits - newlen)
    };
    Ok(Value::String(format!("{}/{newlen}", net.fmt_addr(net.addr | shifted))))
}

pub fn cidrsubnets(a: &[Value]) -> FnResult {
    if a.is_empty() {
        return Err("at least one argument is required".into());
    }
    let prefix = str_arg(a, 0)?;
    let net = parse(&prefix)?;
    let all = net.host_mask(0);
    let mut current: Option<(u128, u32)> = None;
    let mut out = Vec::new();
    for i in 1..a.len() {
        let newbits = whole(a, i)?;
        if newbits < 1 {
            return Err("must extend prefix by at least one bit".into());
        }
        let len = net.prefix as i128 + newbits;
        if len > net.bits as i128 {
            return Err(format!(
                "would extend prefix to {len} bits, which is too long for an IPv{} address",
                if net.bits == 32 { 4 } else { 6 }
            ));
        }
        let len = len as u32;
        let (cur_ip, cur_len) = match current {
            Some(c) => c,
            None => {
                // Start just before the base network so the first subnet is the network's start.
                let prev = net.addr.wrapping_sub(1) & all;
                (prev & net.mask(len), len)
            }
        };
        let cur_last = cur_ip | net.host_mask(cur_len);
        let sub = cur_last & net.mask(len);
        let last = sub | net.host_mask(len);
        let next_ip = last.wrapping_add(1) & all;
        let next = next_ip & net.mask(len);
        if next_ip == 0 || (next & net.mask(net.prefix)) != net.addr {
            return Err(format!(
                "not enough remaining address space for a subnet with a prefix of {len} bits after {}",
                match current {
                    Some((ip, l)) => format!("{}/{l}", net.fmt_addr(ip)),
                    None => prefix.clone(),
                }
            ));
        }
        current = Some((next, len));
        out.push(Value::String(format!("{}/{len}", net.fmt_addr(next))));
    }
    Ok(Value::List(out))
}
