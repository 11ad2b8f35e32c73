package staff

// Tests hash at bcrypt's least cost, so creating accounts takes no time;
// TestPasswordHashCost checks the real cost.
func init() { bcryptCost = 4 }

// RealBcryptCost is the cost the program hashes with.
const RealBcryptCost = 12
