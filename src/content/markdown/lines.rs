//! Where the lines of a rewritten text came from: includes and dialect syntax turn a
//! body into another text before it is parsed, and problems and links must still be
//! reported at the line the author wrote.

/// For each line of a rewritten text, the line of the written text it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineMap {
    /// `origin[i]` is the written line (1-based) of rewritten line `i + 1`.
    origin: Vec<usize>,
}

impl LineMap {
    /// A map that starts empty; lines are added in order with [`LineMap::push`].
    pub fn new() -> LineMap {
        LineMap::default()
    }

    /// Notes that the next rewritten line came from written line `line`.
    pub fn push(&mut self, line: usize) {
        self.origin.push(line);
    }

    /// Notes that the next `count` rewritten lines came from written line `line`.
    pub fn push_many(&mut self, line: usize, count: usize) {
        self.origin.extend(std::iter::repeat_n(line, count));
    }

    /// The written line of rewritten line `line` (1-based). Lines past the end map to
    /// the last line written, or to themselves when nothing was noted.
    pub fn line(&self, line: usize) -> usize {
        match self.origin.get(line.saturating_sub(1)) {
            Some(origin) => *origin,
            None => self.origin.last().copied().unwrap_or(line),
        }
    }

    /// The map of a text rewritten first as `self` says, then as `next` says.
    pub fn then(&self, next: &LineMap) -> LineMap {
        LineMap {
            origin: next.origin.iter().map(|line| self.line(*line)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_map_back_through_two_rewrites() {
        // Written line 2 became three lines; then rewritten line 1 became two.
        let mut first = LineMap::new();
        first.push(1);
        first.push_many(2, 3);
        first.push(3);
        let mut second = LineMap::new();
        second.push_many(1, 2);
        for line in 2..=5 {
            second.push(line);
        }
        let both = first.then(&second);
        assert_eq!(
            (1..=6).map(|l| both.line(l)).collect::<Vec<_>>(),
            [1, 1, 2, 2, 2, 3]
        );
        assert_eq!(both.line(40), 3);
        assert_eq!(LineMap::new().line(7), 7);
    }
}
