//! Sentence vectors from a static token table, for semantic retrieval.
//!
//! The table (`models/minilm-static/`) was distilled from the Apache-2.0 sentence model
//! all-MiniLM-L6-v2 by `scripts/distill-static-model.py`: every `WordPiece` token of the model's
//! vocabulary run through the transformer once, reduced to 256 dimensions by PCA, weighted down
//! by how common the token is, and stored as int8 with one scale per row. A text's vector is the
//! mean of its tokens' rows, L2-normalised, so embedding costs a tokenisation and a few hundred
//! additions: microseconds, where the transformer itself takes about 20 ms a question on these
//! machines. The files are compiled into the binary: nothing is read or fetched at run time.
//!
//! This module owns the table and the tokenizer and nothing else: what the vectors are compared
//! with is [`crate::semantic`]'s business.

use std::sync::OnceLock;

use safetensors::{Dtype, SafeTensors};
use tokenizers::Tokenizer;

/// The distilled table: `embeddings` (int8, one row per vocabulary id) and `scales` (f32).
static MODEL: &[u8] = include_bytes!("../models/minilm-static/model.safetensors");

/// The model's `WordPiece` tokenizer, with padding and truncation turned off.
static TOKENIZER: &[u8] = include_bytes!("../models/minilm-static/tokenizer.json");

/// Texts are cut to this many tokens before embedding: a section's meaning is set well before
/// that, and it bounds the work of one pasted wall of text.
const MAX_TOKENS: usize = 1024;

/// Why the compiled-in model could not be read (a defect of the build, never of the input).
#[derive(Debug, Clone, thiserror::Error)]
pub enum EmbedError {
    /// The weight file is not a valid safetensors file of the expected shape.
    #[error("the embedding table is malformed: {0}")]
    Table(String),
    /// The tokenizer file could not be loaded.
    #[error("the embedding tokenizer is malformed: {0}")]
    Tokenizer(String),
}

/// Turns text into unit vectors in the table's space.
pub struct Embedder {
    tokenizer: Tokenizer,
    /// Row-major int8 rows, `dims` per vocabulary id, borrowed from the compiled-in file.
    rows: &'static [u8],
    /// One scale per row: row `i` is `rows[i] * scales[i]`.
    scales: Vec<f32>,
    dims: usize,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("vocabulary", &self.scales.len())
            .field("dims", &self.dims)
            .finish_non_exhaustive()
    }
}

/// A unit vector (or all zeros, for text with no known token).
pub type Vector = Vec<f32>;

impl Embedder {
    /// The process's one embedder, loaded from the compiled-in files on first use (a few
    /// milliseconds) and shared by every engine, so a reload does not load it again.
    pub fn shared() -> Result<&'static Self, EmbedError> {
        static SHARED: OnceLock<Result<Embedder, EmbedError>> = OnceLock::new();
        SHARED
            .get_or_init(Self::load)
            .as_ref()
            .map_err(Clone::clone)
    }

    fn load() -> Result<Self, EmbedError> {
        let tensors =
            SafeTensors::deserialize(MODEL).map_err(|e| EmbedError::Table(e.to_string()))?;
        let table = tensors
            .tensor("embeddings")
            .map_err(|e| EmbedError::Table(e.to_string()))?;
        let scales = tensors
            .tensor("scales")
            .map_err(|e| EmbedError::Table(e.to_string()))?;
        let (&[vocabulary, dims], &[scale_rows]) = (table.shape(), scales.shape()) else {
            return Err(EmbedError::Table("unexpected tensor ranks".into()));
        };
        if table.dtype() != Dtype::I8
            || scales.dtype() != Dtype::F32
            || scale_rows != vocabulary
            || dims == 0
        {
            return Err(EmbedError::Table(
                "unexpected tensor types or shapes".into(),
            ));
        }
        let scales = scales
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let tokenizer =
            Tokenizer::from_bytes(TOKENIZER).map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        if tokenizer.get_vocab_size(true) > vocabulary {
            return Err(EmbedError::Tokenizer(
                "the tokenizer's vocabulary is larger than the table".into(),
            ));
        }
        Ok(Self {
            tokenizer,
            rows: table.data(),
            scales,
            dims,
        })
    }

    /// Dimensions of every vector.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The unit vector of `text`: the mean of its tokens' rows, normalised. Text with no token
    /// (empty, or only characters the vocabulary lacks) gives the zero vector, which is similar
    /// to nothing.
    pub fn embed(&self, text: &str) -> Vector {
        let mut sum = vec![0.0_f32; self.dims];
        let Ok(encoding) = self.tokenizer.encode_fast(text, false) else {
            return sum;
        };
        for &id in encoding.get_ids().iter().take(MAX_TOKENS) {
            let id = id as usize;
            let Some(&scale) = self.scales.get(id) else {
                continue;
            };
            let row = &self.rows[id * self.dims..(id + 1) * self.dims];
            for (s, &q) in sum.iter_mut().zip(row) {
                #[allow(clippy::cast_possible_wrap)]
                let q = f32::from(q as i8);
                *s += q * scale;
            }
        }
        normalise(&mut sum);
        sum
    }
}

/// Scales `v` to unit length; the zero vector stays zero.
fn normalise(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > f32::EPSILON {
        for x in v {
            *x /= norm;
        }
    }
}

/// Cosine similarity of two unit vectors (their dot product).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedder() -> &'static Embedder {
        Embedder::shared().expect("the compiled-in model loads")
    }

    #[test]
    fn vectors_are_unit_length_and_empty_text_is_zero() {
        let e = embedder();
        let v = e.embed("how do redis sessions expire");
        assert_eq!(v.len(), e.dims());
        assert!((cosine(&v, &v) - 1.0).abs() < 1e-4);
        assert!(e.embed("").iter().all(|&x| x == 0.0));
        assert!(e.embed("\u{1F64F}\u{1F64F}").iter().all(|x| x.is_finite()));
    }

    #[test]
    fn related_texts_are_closer_than_unrelated_ones() {
        let e = embedder();
        let question = e.embed("store embeddings in postgres");
        let related = e.embed(
            "pgvector adds a vector column type to PostgreSQL and nearest-neighbour search over \
             embeddings",
        );
        let unrelated = e.embed("how do I bake sourdough bread at home");
        assert!(cosine(&question, &related) > cosine(&question, &unrelated) + 0.1);
    }

    #[test]
    fn a_wall_of_text_is_bounded_and_does_not_panic() {
        let e = embedder();
        let wall = "redis ".repeat(20_000);
        assert!((cosine(&e.embed(&wall), &e.embed("redis")) - 1.0).abs() < 1e-3);
    }
}
