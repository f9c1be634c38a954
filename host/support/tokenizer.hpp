// llama2.c's tokenizer.bin, read for decoding token ids to text: an int32
// max_token_length, then per token (vocab_size of them) an fp32 merge score,
// an int32 byte length and the piece's bytes. Pieces of the form <0xXX> stand
// for one raw byte; a piece after BOS loses its leading space, as run.c prints.
#pragma once

#include <string>
#include <vector>

namespace ws::host {

class Tokenizer {
 public:
  // Throws golden::InputError naming the file when it is not such a file of
  // exactly `vocab_size` tokens.
  Tokenizer(const std::string& path, int vocab_size);
  std::string piece(int previous, int token) const;
  std::string text(const std::vector<int>& ids) const;  // ids[0] is the start token, not printed

 private:
  std::vector<std::string> pieces_;
};

}  // namespace ws::host
