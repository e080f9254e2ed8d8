//! The `$filter` subset the emulator understands, parsed strictly: `prop eq 'literal'` clauses joined
//! by `and` (optionally parenthesised), and the lambda `coll/any(u:u/prop eq 'literal')`. String
//! literals use OData's quote doubling (`'O''Brien'`). Anything else is refused with
//! `400 Request_UnsupportedQuery` naming what was not understood — never a 500, never a hang: the
//! input is bounded and the parser only moves forward.

use super::reply::GraphError;

/// Longest `$filter` accepted; real filters here are under 200 characters.
const MAX_FILTER_LEN: usize = 2048;
/// Deepest parenthesis nesting accepted.
const MAX_DEPTH: usize = 8;

/// One condition of a conjunction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Clause {
    /// `property eq 'value'` (property in its canonical spelling).
    Eq { property: &'static str, value: String },
    /// `collection/any(x:x/property eq 'value')`.
    Any {
        collection: &'static str,
        property: &'static str,
        value: String,
    },
}

/// A parsed filter: every clause must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Filter {
    pub(crate) clauses: Vec<Clause>,
}

/// What one collection lets clients filter on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FilterSpec {
    /// Properties usable with `eq`.
    pub(crate) eq: &'static [&'static str],
    /// `(collection, property)` usable in an `any` lambda.
    pub(crate) any: Option<(&'static str, &'static str)>,
}

impl Filter {
    /// The value of the `eq` clause on `property`, if there is one.
    pub(crate) fn eq_value(&self, property: &str) -> Option<&str> {
        self.clauses.iter().find_map(|c| match c {
            Clause::Eq { property: p, value } if *p == property => Some(value.as_str()),
            _ => None,
        })
    }

    /// The `any` clause, if there is one: `(property, value)`.
    pub(crate) fn any_value(&self) -> Option<(&'static str, &str)> {
        self.clauses.iter().find_map(|c| match c {
            Clause::Any { property, value, .. } => Some((*property, value.as_str())),
            Clause::Eq { .. } => None,
        })
    }

    /// True when `item` (a Graph JSON object) satisfies every `eq` clause. `any` clauses are answered
    /// by the caller, which knows where the nested collection comes from.
    pub(crate) fn matches_eq(&self, item: &serde_json::Value) -> bool {
        self.clauses.iter().all(|c| match c {
            Clause::Eq { property, value } => item
                .get(*property)
                .and_then(|v| v.as_str())
                .is_some_and(|v| v.eq_ignore_ascii_case(value)),
            Clause::Any { .. } => true,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Literal(String),
    Open,
    Close,
    Colon,
}

/// Parses `$filter` against what `spec` allows.
pub(crate) fn parse(input: &str, spec: &FilterSpec) -> Result<Filter, GraphError> {
    if input.len() > MAX_FILTER_LEN {
        return Err(GraphError::unsupported_query(format!(
            "$filter is {} characters long; the emulator accepts at most {MAX_FILTER_LEN}",
            input.len()
        )));
    }
    let tokens = tokenize(input)?;
    let mut parser = Parser { tokens, pos: 0, spec };
    let mut filter = Filter::default();
    parser.conjunction(&mut filter, 0)?;
    if parser.pos != parser.tokens.len() {
        return Err(parser.unexpected("end of the filter"));
    }
    if filter.clauses.is_empty() {
        return Err(GraphError::unsupported_query("$filter is empty"));
    }
    Ok(filter)
}

fn tokenize(input: &str) -> Result<Vec<Token>, GraphError> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ':' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Colon,
                });
            }
            '\'' => {
                chars.next();
                tokens.push(Token::Literal(literal(&mut chars)?));
            }
            c if c.is_ascii_alphanumeric() || c == '_' || c == '/' || c == '.' => {
                let mut word = String::new();
                while let Some(&w) = chars.peek().filter(|w| w.is_ascii_alphanumeric() || "_/.".contains(**w)) {
                    word.push(w);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
            other => {
                return Err(GraphError::unsupported_query(format!(
                    "$filter contains {other:?}, which the emulator's filter subset does not use"
                )))
            }
        }
    }
    Ok(tokens)
}

/// Reads a string literal after its opening quote; `''` stands for one quote.
fn literal(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<String, GraphError> {
    let mut value = String::new();
    loop {
        match chars.next() {
            None => {
                return Err(GraphError::unsupported_query(
                    "$filter has a string literal without its closing quote",
                ))
            }
            Some('\'') if chars.peek() == Some(&'\'') => {
                chars.next();
                value.push('\'');
            }
            Some('\'') => return Ok(value),
            Some(c) => value.push(c),
        }
    }
}

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    spec: &'a FilterSpec,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn unexpected(&self, wanted: &str) -> GraphError {
        let found = match self.tokens.get(self.pos) {
            None => "the end of the filter".to_owned(),
            Some(Token::Word(w)) => format!("'{w}'"),
            Some(Token::Literal(l)) => format!("the literal '{l}'"),
            Some(Token::Open) => "'('".to_owned(),
            Some(Token::Close) => "')'".to_owned(),
            Some(Token::Colon) => "':'".to_owned(),
        };
        GraphError::unsupported_query(format!(
            "$filter: expected {wanted} but found {found}; the emulator supports `property eq 'value'` joined by `and`{}",
            self.spec
                .any
                .map(|(c, p)| format!(" and `{c}/any(x:x/{p} eq 'value')`"))
                .unwrap_or_default()
        ))
    }

    fn conjunction(&mut self, out: &mut Filter, depth: usize) -> Result<(), GraphError> {
        self.operand(out, depth)?;
        while matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case("and")) {
            self.pos += 1;
            self.operand(out, depth)?;
        }
        Ok(())
    }

    fn operand(&mut self, out: &mut Filter, depth: usize) -> Result<(), GraphError> {
        match self.next() {
            Some(Token::Open) if depth < MAX_DEPTH => {
                self.conjunction(out, depth + 1)?;
                self.expect(&Token::Close, "')'")
            }
            Some(Token::Open) => Err(GraphError::unsupported_query("$filter nests parentheses too deeply")),
            Some(Token::Word(w)) => match w.strip_suffix("/any") {
                Some(collection) => self.lambda(collection, out),
                None => self.comparison(&w, out),
            },
            _ => {
                self.pos = self.pos.saturating_sub(1);
                Err(self.unexpected("a property name"))
            }
        }
    }

    fn comparison(&mut self, property: &str, out: &mut Filter) -> Result<(), GraphError> {
        let canonical = self.canonical_eq(property)?;
        let value = self.eq_literal()?;
        out.clauses.push(Clause::Eq {
            property: canonical,
            value,
        });
        Ok(())
    }

    fn lambda(&mut self, collection: &str, out: &mut Filter) -> Result<(), GraphError> {
        let Some((coll, prop)) = self.spec.any.filter(|(c, _)| c.eq_ignore_ascii_case(collection)) else {
            return Err(GraphError::unsupported_query(format!(
                "$filter: '{collection}/any' is not supported on this collection"
            )));
        };
        self.expect(&Token::Open, "'(' after any")?;
        let var = match self.next() {
            Some(Token::Word(v)) if !v.contains('/') => v,
            _ => {
                self.pos -= 1;
                return Err(self.unexpected("a lambda variable"));
            }
        };
        self.expect(&Token::Colon, "':' after the lambda variable")?;
        let path = match self.next() {
            Some(Token::Word(p)) => p,
            _ => {
                self.pos -= 1;
                return Err(self.unexpected("a property of the lambda variable"));
            }
        };
        let wanted = format!("{var}/{prop}");
        if !path.eq_ignore_ascii_case(&wanted) {
            return Err(GraphError::unsupported_query(format!(
                "$filter: inside any() the emulator supports only '{wanted}'"
            )));
        }
        let value = self.eq_literal()?;
        self.expect(&Token::Close, "')' closing any(")?;
        out.clauses.push(Clause::Any {
            collection: coll,
            property: prop,
            value,
        });
        Ok(())
    }

    fn eq_literal(&mut self) -> Result<String, GraphError> {
        match self.next() {
            Some(Token::Word(op)) if op.eq_ignore_ascii_case("eq") => {}
            Some(Token::Word(op)) => {
                return Err(GraphError::unsupported_query(format!(
                    "$filter operator '{op}' is not supported; the emulator supports only 'eq'"
                )))
            }
            _ => {
                self.pos -= 1;
                return Err(self.unexpected("'eq'"));
            }
        }
        match self.next() {
            Some(Token::Literal(v)) => Ok(v),
            _ => {
                self.pos -= 1;
                Err(self.unexpected("a quoted string literal"))
            }
        }
    }

    fn expect(&mut self, token: &Token, wanted: &str) -> Result<(), GraphError> {
        if self.peek() == Some(token) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(wanted))
        }
    }

    fn canonical_eq(&self, property: &str) -> Result<&'static str, GraphError> {
        self.spec
            .eq
            .iter()
            .copied()
            .find(|p| p.eq_ignore_ascii_case(property))
            .ok_or_else(|| {
                GraphError::unsupported_query(format!(
                    "$filter on '{property}' is not supported here; filterable properties: {}",
                    self.spec.eq.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUESTS: FilterSpec = FilterSpec {
        eq: &["appId", "consentType"],
        any: Some(("userConsentRequests", "status")),
    };
    const GRANTS: FilterSpec = FilterSpec {
        eq: &["clientId", "consentType", "resourceId"],
        any: None,
    };

    #[test]
    fn parses_the_filters_the_graph_backend_and_sdks_send() {
        let f = parse("appId eq 'c1' and userConsentRequests/any(u:u/status eq 'InProgress')", &REQUESTS).unwrap();
        assert_eq!(f.eq_value("appId"), Some("c1"));
        assert_eq!(f.any_value(), Some(("status", "InProgress")));
        let f = parse("userConsentRequests/any (u: u/status eq 'Completed')", &REQUESTS).unwrap();
        assert_eq!(f.any_value(), Some(("status", "Completed")));
        let f = parse("(clientId eq 'a') and (consentType eq 'AllPrincipals')", &GRANTS).unwrap();
        assert_eq!(f.eq_value("consentType"), Some("AllPrincipals"));
        let f = parse("ClientID EQ 'x'", &GRANTS).unwrap();
        assert_eq!(f.eq_value("clientId"), Some("x"));
    }

    #[test]
    fn doubled_quotes_are_one_quote() {
        let f = parse("appId eq 'O''Brien'''", &REQUESTS).unwrap();
        assert_eq!(f.eq_value("appId"), Some("O'Brien'"));
    }

    #[test]
    fn everything_outside_the_subset_is_an_unsupported_query() {
        for bad in [
            "",
            "appId ne 'x'",
            "appId eq 'x' or appId eq 'y'",
            "displayName eq 'x'",
            "startswith(appId,'x')",
            "appId eq 'unterminated",
            "appId eq 3",
            "appId eq",
            "(appId eq 'x'",
            "appId eq 'x')",
            "userConsentRequests/any(u:u/reason eq 'x')",
            "userConsentRequests/all(u:u/status eq 'x')",
            "appId eq 'x' and",
            "appId eq 'x' 'y'",
            "appId in ('x')",
            "appId eq 'x'; drop",
            &"(".repeat(50),
            &"a".repeat(MAX_FILTER_LEN + 1),
        ] {
            let err = parse(bad, &REQUESTS).unwrap_err();
            assert_eq!(err.status.as_u16(), 400, "{bad}");
            assert_eq!(err.code, super::super::reply::codes::UNSUPPORTED_QUERY, "{bad}");
        }
        assert!(parse("userConsentRequests/any(u:u/status eq 'x')", &GRANTS).is_err());
    }

    #[test]
    fn eq_matching_is_case_insensitive_like_directory_queries() {
        let f = parse("clientId eq 'ABC'", &GRANTS).unwrap();
        assert!(f.matches_eq(&serde_json::json!({"clientId": "abc"})));
        assert!(!f.matches_eq(&serde_json::json!({"clientId": "abd"})));
        assert!(!f.matches_eq(&serde_json::json!({})));
    }

    proptest::proptest! {
        #[test]
        fn parser_never_panics(s in "\\PC{0,300}") {
            let _ = parse(&s, &REQUESTS);
        }

        #[test]
        fn parser_never_panics_on_filter_like_input(s in "[a-zA-Z/()': ]{0,120}") {
            let _ = parse(&s, &REQUESTS);
        }

        #[test]
        fn any_literal_round_trips(v in "\\PC{0,40}") {
            let f = parse(&format!("appId eq '{}'", v.replace('\'', "''")), &REQUESTS).unwrap();
            proptest::prop_assert_eq!(f.eq_value("appId"), Some(v.as_str()));
        }
    }
}
