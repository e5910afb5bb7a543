//! A small blocking HTTP client of the board's API, for the command line, tests and the load
//! benchmark.

use std::time::Duration;

/// An HTTP answer: status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A client of one board.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    agent: ureq::Agent,
}

impl Client {
    /// A client of the board at `base` (for example `http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            agent: ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(30)))
                .http_status_as_error(false)
                .build()
                .into(),
        }
    }

    fn finish(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Answer, String> {
        let mut r = r.map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        let body = r
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .map_err(|e| e.to_string())?;
        Ok(Answer { status, body })
    }

    /// `GET <base>/<path>`.
    pub fn get(&self, path: &str) -> Result<Answer, String> {
        Self::finish(self.agent.get(format!("{}/{path}", self.base)).call())
    }

    /// `POST <base>/entry` with envelope bytes.
    pub fn submit(&self, envelope: &[u8]) -> Result<Answer, String> {
        Self::finish(
            self.agent
                .post(format!("{}/entry", self.base))
                .header("Content-Type", "application/octet-stream")
                .send(envelope),
        )
    }

    /// `PUT <base>/artefact/<hex sha256>`.
    pub fn put_artefact(&self, hash_hex: &str, bytes: &[u8]) -> Result<Answer, String> {
        Self::finish(
            self.agent
                .put(format!("{}/artefact/{hash_hex}", self.base))
                .header("Content-Type", "application/octet-stream")
                .send(bytes),
        )
    }
}
