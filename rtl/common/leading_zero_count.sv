// Count of leading zeros of a Width-bit word (Width when it is all zero).
module leading_zero_count #(
  parameter int Width = 8
) (
  input  logic [Width-1:0]             bits_i,
  output logic [$clog2(Width+1)-1:0]   count_o
);
  localparam int CountWidth = $clog2(Width + 1);

  always_comb begin
    count_o = CountWidth'(Width);
    for (int i = 0; i < Width; i++) begin  // the highest set bit decides
      if (bits_i[i]) count_o = CountWidth'(Width - 1 - i);
    end
  end
endmodule
