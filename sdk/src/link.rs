//! Parsing of the RFC 8288 `Link` header, as list responses send it.

/// The relations of a `Link` header that pagination uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Links {
    /// The `first` page.
    pub first: Option<String>,
    /// The `prev` page.
    pub prev: Option<String>,
    /// The `next` page.
    pub next: Option<String>,
    /// The `last` page.
    pub last: Option<String>,
}

impl Links {
    /// Parses every `Link` header value; unknown relations and malformed
    /// entries are skipped, so a bad header never fails a request.
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let mut links = Links::default();
        for value in values {
            for (target, rels) in entries(value) {
                for rel in rels.split_ascii_whitespace() {
                    let slot = match rel.to_ascii_lowercase().as_str() {
                        "first" => &mut links.first,
                        "prev" | "previous" => &mut links.prev,
                        "next" => &mut links.next,
                        "last" => &mut links.last,
                        _ => continue,
                    };
                    slot.get_or_insert_with(|| target.to_owned());
                }
            }
        }
        links
    }
}

/// Splits one header value into `(target, rel)` pairs.
///
/// Commas may appear inside `<...>` and inside quoted parameter values, so the
/// value is scanned rather than split on commas.
fn entries(value: &str) -> Vec<(&str, String)> {
    let mut out = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        let Some(after_open) = rest.strip_prefix('<') else {
            return out;
        };
        let Some(close) = after_open.find('>') else {
            return out;
        };
        let target = &after_open[..close];
        rest = &after_open[close + 1..];

        let mut rel = None;
        // Parameters: `; name=value` or `; name="quoted, value"` until a comma.
        loop {
            rest = rest.trim_start();
            let Some(after_semicolon) = rest.strip_prefix(';') else {
                break;
            };
            rest = after_semicolon.trim_start();
            let name_end = rest.find(['=', ';', ',']).unwrap_or(rest.len());
            let name = rest[..name_end].trim().to_ascii_lowercase();
            rest = &rest[name_end..];
            let mut param_value = String::new();
            if let Some(after_eq) = rest.strip_prefix('=') {
                let after_eq = after_eq.trim_start();
                if let Some(quoted) = after_eq.strip_prefix('"') {
                    let end = quoted.find('"').unwrap_or(quoted.len());
                    param_value = quoted[..end].to_owned();
                    rest = quoted.get(end + 1..).unwrap_or("");
                } else {
                    let end = after_eq.find([';', ',']).unwrap_or(after_eq.len());
                    param_value = after_eq[..end].trim().to_owned();
                    rest = &after_eq[end..];
                }
            }
            if name == "rel" && rel.is_none() {
                rel = Some(param_value);
            }
        }
        if let Some(rel) = rel {
            out.push((target, rel));
        }
    }
}

/// Returns the value of query parameter `name` in `url`, decoded.
pub(crate) fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_four_relations() {
        let header = "<http://h/v1/plants?page=1&limit=50>; rel=\"first\", \
                      <http://h/v1/plants?page=1&limit=50>; rel=\"prev\", \
                      <http://h/v1/plants?page=3&limit=50>; rel=\"next\", \
                      <http://h/v1/plants?page=3&limit=50>; rel=\"last\"";
        let links = Links::parse([header]);
        assert_eq!(
            links.first.as_deref(),
            Some("http://h/v1/plants?page=1&limit=50")
        );
        assert_eq!(
            links.prev.as_deref(),
            Some("http://h/v1/plants?page=1&limit=50")
        );
        assert_eq!(
            links.next.as_deref(),
            Some("http://h/v1/plants?page=3&limit=50")
        );
        assert_eq!(
            links.last.as_deref(),
            Some("http://h/v1/plants?page=3&limit=50")
        );
    }

    #[test]
    fn handles_commas_in_targets_and_quoted_params() {
        let header = "<http://h/a?tags=x,y>; title=\"a, b\"; rel=next, </b>; rel=\"prev last\"";
        let links = Links::parse([header]);
        assert_eq!(links.next.as_deref(), Some("http://h/a?tags=x,y"));
        assert_eq!(links.prev.as_deref(), Some("/b"));
        assert_eq!(links.last.as_deref(), Some("/b"));
    }

    #[test]
    fn malformed_values_are_skipped() {
        for header in ["", "garbage", "<unclosed; rel=next", "<x>; rel", ";;;,,,<"] {
            let links = Links::parse([header]);
            assert_eq!(links.next, None, "header {header:?}");
        }
    }

    #[test]
    fn query_value_decodes() {
        let url = "http://h/v1/plants?limit=10&starting_after=plt_01%2B&x";
        assert_eq!(
            query_value(url, "starting_after").as_deref(),
            Some("plt_01+")
        );
        assert_eq!(query_value(url, "missing"), None);
    }
}
